import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

/** A human-readable, synchronous logger for the examples' output (pino with pino-pretty). */
export function exampleLogger(level: pino.LevelWithSilent = 'info'): Logger {
  return pino(
    { level },
    pretty({
      sync: true,
      colorize: false,
      singleLine: true,
      ignore: 'pid,hostname',
      translateTime: 'SYS:HH:MM:ss.l',
    }),
  );
}
