/** File-family parsers: open/openat/openat2/creat, close, dup, pipe, chdir... (libsinsp parsers.cpp) */
import { State } from '../state';
