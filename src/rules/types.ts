/**
 * Shared types of the rules loader (Falco's rule_loader): load results with typed error and
 * warning codes, and contexts — a chain of locations (file, line, column, item type, item
 * name) from the file down to the YAML node or the position inside a condition.
 */

export type ErrorCode =
  | 'LOAD_ERR_FILE_READ'
  | 'LOAD_ERR_YAML_PARSE'
  | 'LOAD_ERR_YAML_VALIDATE'
  | 'LOAD_ERR_COMPILE_CONDITION'
  | 'LOAD_ERR_COMPILE_OUTPUT'
  | 'LOAD_ERR_VALIDATE'
  | 'LOAD_ERR_EXTENSION';

export type WarningCode =
  | 'LOAD_UNKNOWN_SOURCE'
  | 'LOAD_UNSAFE_NA_CHECK'
  | 'LOAD_NO_EVTTYPE'
  | 'LOAD_UNKNOWN_FILTER'
  | 'LOAD_UNUSED_MACRO'
  | 'LOAD_UNUSED_LIST'
  | 'LOAD_UNKNOWN_ITEM'
  | 'LOAD_DEPRECATED_ITEM'
  | 'LOAD_WARNING_EXTENSION'
  | 'LOAD_APPEND_NO_VALUES'
  | 'LOAD_EXCEPTION_NAME_NOT_UNIQUE'
  | 'LOAD_INVALID_MACRO_NAME'
  | 'LOAD_INVALID_LIST_NAME'
  | 'LOAD_COMPILE_CONDITION'
  | 'LOAD_UNKNOWN_KEY';

/** Falco's short descriptions of the codes (falco_load_result.cpp). */
export const CODE_DESC: Record<ErrorCode | WarningCode, string> = {
  LOAD_ERR_FILE_READ: 'File read error',
  LOAD_ERR_YAML_PARSE: 'YAML parse error',
  LOAD_ERR_YAML_VALIDATE: 'Error validating internal structure of YAML file',
  LOAD_ERR_COMPILE_CONDITION: 'Error compiling condition',
  LOAD_ERR_COMPILE_OUTPUT: 'Error compiling output',
  LOAD_ERR_VALIDATE: 'Error validating rule/macro/list/exception objects',
  LOAD_ERR_EXTENSION: 'Error in extension item',
  LOAD_UNKNOWN_SOURCE: 'Unknown event source',
  LOAD_UNSAFE_NA_CHECK: 'Unsafe <NA> comparison in condition',
  LOAD_NO_EVTTYPE: 'Condition has no event-type restriction',
  LOAD_UNKNOWN_FILTER: 'Unknown field or event-type in condition or output',
  LOAD_UNUSED_MACRO: 'Unused macro',
  LOAD_UNUSED_LIST: 'Unused list',
  LOAD_UNKNOWN_ITEM: 'Unknown rules file item',
  LOAD_DEPRECATED_ITEM: 'Used deprecated item',
  LOAD_WARNING_EXTENSION: 'Warning in extension item',
  LOAD_APPEND_NO_VALUES: 'Overriding/appending with no values',
  LOAD_EXCEPTION_NAME_NOT_UNIQUE: 'Multiple exceptions defined with the same name',
  LOAD_INVALID_MACRO_NAME: 'Invalid macro name',
  LOAD_INVALID_LIST_NAME: 'Invalid list name',
  LOAD_COMPILE_CONDITION: 'Condition has a compilation warning',
  LOAD_UNKNOWN_KEY: 'Unknown key',
};

/** Falco's context item types (rule_loader::context::item_type names). */
export type ItemType =
  | 'file'
  | 'rules content'
  | 'rules content item'
  | 'required_engine_version'
  | 'required_plugin_versions'
  | 'required_plugin_versions entry'
  | 'required_plugin_versions alternative'
  | 'list'
  | 'list item'
  | 'macro'
  | 'macro condition'
  | 'rule'
  | 'rule output'
  | 'rule condition'
  | 'condition expression'
  | 'rule output expression'
  | 'rule priority'
  | 'exceptions'
  | 'exception'
  | 'exception values'
  | 'exception value'
  | 'value for'
  | 'override'
  | 'extension item';

/** The item types reported as "the item" of an error (JSON item_type / item_name). */
const ITEM_KINDS = new Set<ItemType>([
  'rules content',
  'rules content item',
  'required_engine_version',
  'required_plugin_versions',
  'list',
  'macro',
  'rule',
  'exception',
]);

export interface Location {
  /** file name, or a condition excerpt for 'condition expression' */
  name: string;
  /** 1-based line and column (0:0 = the whole file) */
  line: number;
  col: number;
  /** 0-based offset in `name`'s text */
  pos: number;
  type: ItemType;
  item: string;
}

/** A chain of locations, outermost first. */
export class Context {
  constructor(
    readonly locs: readonly Location[],
    readonly snippetText?: string,
  ) {}

  static file(name: string): Context {
    return new Context([{ name, line: 0, col: 0, pos: 0, type: 'rules content', item: '' }]);
  }

  /** A child location inside the same file. */
  child(type: ItemType, item: string, pos: { line: number; col: number; pos: number }): Context {
    const file = this.locs[0].name;
    return new Context(
      [...this.locs, { name: file, line: pos.line, col: pos.col, pos: pos.pos, type, item }],
      this.snippetText,
    );
  }

  /** A position inside a condition/output text (e.g. a filter error). */
  inText(type: ItemType, text: string, pos: number, line: number, col: number): Context {
    return new Context([...this.locs, { name: excerpt(text), line, col, pos, type, item: '' }], text);
  }

  /** The innermost item location (rule, macro, list, exception, ...). */
  item(): Location {
    for (let i = this.locs.length - 1; i >= 0; i--) if (ITEM_KINDS.has(this.locs[i].type)) return this.locs[i];
    return this.locs[0];
  }

  file(): string {
    return this.locs[0].name;
  }

  /** The innermost location inside the file (for "file:line:col"). */
  fileLoc(): Location {
    for (let i = this.locs.length - 1; i >= 0; i--) if (this.locs[i].name === this.locs[0].name) return this.locs[i];
    return this.locs[0];
  }
}

function excerpt(text: string): string {
  const t = text.length > 20 ? text.slice(0, 17) + '...' : text;
  return t.replace(/\n/g, '\\n');
}

export interface LoadMessage {
  code: ErrorCode | WarningCode;
  message: string;
  ctx: Context;
}

/** The result of loading one rules file (Falco's load_result). */
export class LoadResult {
  readonly errors: LoadMessage[] = [];
  readonly warnings: LoadMessage[] = [];
  constructor(
    readonly name: string,
    readonly content: string,
  ) {}
  get ok(): boolean {
    return this.errors.length === 0;
  }
  addError(code: ErrorCode, message: string, ctx: Context): void {
    this.errors.push({ code, message, ctx });
  }
  addWarning(code: WarningCode, message: string, ctx: Context): void {
    this.warnings.push({ code, message, ctx });
  }
}

/** Thrown inside a loader stage; caught once per file (Falco's rule_load_exception). */
export class RuleLoadError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly ctx: Context,
  ) {
    super(message);
    this.name = 'RuleLoadError';
  }
}
