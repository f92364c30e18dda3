/** A chameneo's colour (MPP `ChameneosColour`); `faded` is never worn in a meeting. */
export type Colour = 'red' | 'yellow' | 'blue';

const COLOURS: readonly Colour[] = ['red', 'yellow', 'blue'];

/** The starting colour of chameneo number `index`: the three colours in turn. */
export function colourFor(index: number): Colour {
  return COLOURS[index % 3]!;
}

/** The colour a chameneo takes after meeting one of `other` colour: its own when equal, else the third. */
export function complement(own: Colour, other: Colour): Colour {
  if (own === other) return own;
  if (own !== 'red' && other !== 'red') return 'red';
  if (own !== 'yellow' && other !== 'yellow') return 'yellow';
  return 'blue';
}
