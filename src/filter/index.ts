/**
 * The filter language: public surface.
 *
 *   const f = compileFilter('proc.name = bash and evt.type = execve', fieldRegistry);
 *   if (f.match(ev, st)) …;  f.eventTypes → Set of event codes (null = all)
 *
 * Errors are FilterError {pos, line, column, kind, macroChain}; print with toCliString().
 */
export { compileFilter, compileAst, compileValueExpr } from './compiler';
export type { CompileOptions, CompiledFilter } from './compiler';
export { getopt } from './compile/transformers';
export type { EvalFn, Source } from './compile/source';
export type { MacroDef } from './compile/macros';
export { parseFilter, Parser, toByteString } from './parser';
export type { ParseOptions, ParseResult } from './parser';
export type * from './ast';
export { astEqual, astToString, escapeValue, walk } from './ast';
export { FilterError, lineCol } from './errors';
export type { FilterWarning, FilterErrorKind } from './errors';
export {
  eventCodesOf,
  eventTypesOf,
  namesToEventCodes,
  isKnownEventName,
  allEventCodes,
  EVENT_CODE_COUNT,
} from './evttypes';
export { compileGlob, globMatch } from './glob';
export { compileRegex, RegexSyntaxError } from './regex';
export { supportedOperators, supportedTransformers } from './lexer';
