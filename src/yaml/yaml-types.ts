/** The YAML tree both readers build: yaml-cpp-like nodes with their kind, text and position. */

export type NodeKind = 'map' | 'seq' | 'scalar' | 'null';

export interface YNode {
  kind: NodeKind;
  /** scalar text (yaml-cpp's Scalar()): the string value, or the source of a plain number/bool */
  str: string;
  items: YNode[];
  /** map entries by key text, in order */
  map: Map<string, { key: YNode; value: YNode }>;
  /** 1-based line/column and 0-based offset of the node start */
  line: number;
  col: number;
  pos: number;
}

export interface YDoc {
  root: YNode | null;
}
