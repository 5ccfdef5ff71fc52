/** `sysdig -h` of the sysdig front-end: what it takes, in sysdig's words, and what it does not. */
export const SYSDIG_USAGE = `Usage: falco-ts sysdig [options] [sysdig-args...]
       sysdig [options] [-p <output_format>] [filter]     (falco-ts run as 'sysdig')

sysdig 0.29.3's command line over falco-ts.

Options (as sysdig's):
 -r <file>, --readfile=<file>   read events from a trace file (repeatable); without -r: live capture
 -w <file>, --writefile=<file>  write the (matching) events to a trace file (implies -q)
 -z, --compress                 with -w: gzip the trace file
 -C <MB> | -G <secs> | -W <num> | -e <num>
                                live -w only: rotate files by size, time, count, events
 -p <format>, --print=<format>  output format; -pc/-pcontainer, -pk/-pkubernetes, -pm/-pmesos presets;
                                -pp prints the default format
 -j, --json                     one JSON object per event
 -A | -b | -x | -X              data buffers: ASCII only, base64, hex, hex and ASCII
 -n <num>, --numevents=<num>    stop after <num> events
 -M <secs>                      stop after <secs> seconds (of event time when reading a file)
 -s <len>, --snaplen=<len>      live: bytes captured of each I/O buffer (default 80)
 -t h|a|r|d|D, --timetype=...   how %evt.outputtime is shown
 -v, --verbose                  buffers in full; capture statistics at the end
 -q, --quiet                    print no events
 -d, --displayflt               the filter only selects what is printed
 -D, --debug                    print internal events too
 -S, --summary                  print the table of event counts at the end (with -r)
 -P, --progress                 print the percentage read on stderr (with -r)
 --unbuffered                   write every line at once
 -E, --exclude-users, -F, --fatfile, --large-environment
                                accepted (a filtered -w always keeps the state events, hidden)
 -l, --list | -lv | --list-markdown   list the fields;  -L, --list-events  list the events
 --version, --libs-version, -h, --help

Not available here: chisels (-c, -i, -cl), plugins (-H, -I), k8s/mesos clients (-k, -K, -m,
--node-name), -B, -R, -T, -U, -u, --cri, --page-faults, --filter-proclist.
`;
