// JSON Pointer segments (RFC 6901), so keys with `/` or `~` in them still point at the right place.

export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
