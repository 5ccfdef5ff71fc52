/** scap block type codes (pcapng-like framing); see ../shared/docs/scap-format.md §4. */
export const SHB = 0x0a0d0d0a;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const MI = 0x201;
export const MI_INT = 0x8002abcd;

export const PL_V1 = 0x202;
export const PL_V1_INT = 0x8000abcd;
export const PL_V2 = 0x207;
export const PL_V2_INT = 0x8013abcd;
export const PL_V3 = 0x209;
export const PL_V3_INT = 0x8014abcd;
export const PL_V4 = 0x210;
export const PL_V5 = 0x211;
export const PL_V6 = 0x212;
export const PL_V7 = 0x213;
export const PL_V8 = 0x214;
export const PL_V9 = 0x215;

export const FDL_V1 = 0x203;
export const FDL_V1_INT = 0x8001abcd;
export const FDL_V2 = 0x218;

export const IL_V1 = 0x205;
export const IL_V1_INT = 0x8011abcd;
export const IL_V2 = 0x219;

export const UL_V1 = 0x206;
export const UL_V1_INT = 0x8012abcd;
export const UL_V2 = 0x220;

export const EV_V1 = 0x204;
export const EV_V1_INT = 0x8010abcd;
export const EVF_V1 = 0x208;
export const EV_V2 = 0x216;
export const EVF_V2 = 0x217;
export const EV_V2_LARGE = 0x221;
export const EVF_V2_LARGE = 0x222;

/** Process-list version (1..9) of a block type, or 0 if it is not a process list. */
export function procListVersion(t: number): number {
  switch (t) {
    case PL_V1:
    case PL_V1_INT:
      return 1;
    case PL_V2:
    case PL_V2_INT:
      return 2;
    case PL_V3:
    case PL_V3_INT:
      return 3;
    case PL_V4:
      return 4;
    case PL_V5:
      return 5;
    case PL_V6:
      return 6;
    case PL_V7:
      return 7;
    case PL_V8:
      return 8;
    case PL_V9:
      return 9;
    default:
      return 0;
  }
}

/** Event block kinds: bit 0 = has dump flags, bit 1 = v2 header (nparams), bit 2 = large. 0 = not an event block. */
export function eventBlockKind(t: number): number {
  switch (t) {
    case EV_V1:
    case EV_V1_INT:
      return 8;
    case EVF_V1:
      return 8 | 1;
    case EV_V2:
      return 8 | 2;
    case EVF_V2:
      return 8 | 2 | 1;
    case EV_V2_LARGE:
      return 8 | 2 | 4;
    case EVF_V2_LARGE:
      return 8 | 2 | 4 | 1;
    default:
      return 0;
  }
}
