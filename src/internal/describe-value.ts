/** Describes a value for error messages in p-queue's shape: "`-1` (number)". */
export function describeValue(value: unknown): string {
  let shown: string;
  try {
    shown =
      typeof value === 'string'
        ? JSON.stringify(value)
        : typeof value === 'bigint'
          ? `${value}n`
          : String(value);
  } catch {
    shown = Object.prototype.toString.call(value);
  }
  return `\`${shown}\` (${value === null ? 'null' : typeof value})`;
}
