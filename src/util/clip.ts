/**
 * clipText shortens text to at most `max` characters without cutting a sentence or a word in half: it ends
 * at the last sentence or clause boundary (". ", "; ", ": ", ", ") in the second half of the allowance,
 * else at the last space, else hard; a clipped text ends with "…". Text that fits is returned as it is.
 */
export function clipText(s: string, max: number): string {
  if (s.length <= max) return s;
  const room = s.slice(0, max - 1);
  const half = Math.floor(max / 2);
  let cut = -1;
  for (const sep of ['. ', '; ', ': ', ', ']) {
    const at = room.lastIndexOf(sep);
    if (at >= half) {
      cut = sep === '. ' ? at + 1 : at;
      break;
    }
  }
  if (cut < 0) {
    const space = room.lastIndexOf(' ');
    cut = space >= half ? space : room.length;
  }
  return `${room.slice(0, cut).trimEnd()}…`;
}
