/** Registers every event-family parser with the State dispatch table. */
import './fs';
import './proc';
import './net';
