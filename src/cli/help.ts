export const MAIN_HELP = `rtc-triage — is it the infrastructure, the network, or the app?

Usage: rtc-triage <command> [options]

Commands:
  diagnose   run one diagnosis against the configured servers and print a verdict
  export     write a diagnostic bundle (zip, redacted by default) for a support ticket
  history    patterns (outages, recurring windows, flapping) and a verdict over the stored history
  import-call  import a user's call (webrtc-internals or rtcstats dump): what went wrong, and with
             --reproduce the isolated tests of its ICE servers beside it
  inspect    open one bundle read-only, or compare several (the same servers seen from several networks)
  lab        start the embedded lab (servers on loopback) for testing this machine
  monitor    diagnose on a schedule, alert once per outage episode, export Prometheus metrics
  partner    test the real path to a partner on another network: one side shows a code, the other enters it
  serve      open the RTC Triage UI in a browser (same features as the desktop app)

Options:
  -h, --help     show help (also: rtc-triage <command> --help)
  -v, --version  print the version

Exit codes: 0 healthy, 1 a problem verdict, 2 bad usage or invalid config, 3 internal error.
History is kept in ${'$'}RTC_TRIAGE_DATA_DIR/history.db, by default in your user data folder.
`;

export const DIAGNOSE_HELP = `Usage: rtc-triage diagnose [--config FILE] [--lab] [--json] [--db FILE] [--app-failing]

Runs every probe against every configured target, in parallel, with per-attempt timeouts and
retries — STUN Binding and RFC 5780 NAT behaviour (stun), TURN allocation (turn), relay tests
(gun, peerjs) — stores each attempt in the history database, and prints the verdict. A probe
through a server that refused or never answered (ICE gathering, sessions) is not run but recorded
as skipped, so the verdict comes as soon as the evidence decides it.

Options:
  --config FILE   JSON config listing targets (default: the public STUN servers in resources/)
  --lab           also start the embedded lab on loopback and test it (layer L1: proves this
                  machine's own probe path works, with no outside infrastructure)
  --json          print the report (schema rtc-triage/report@1) as one JSON object on stdout
  --db FILE       history database to write (default: the user data folder)
  --app-failing   the user says the app fails: a clean result then reads "app-suspect"
  -h, --help      show this help

Exit codes: 0 healthy, 1 a problem verdict (or cancelled), 2 bad usage or invalid config, 3 internal error.
`;

export const LAB_HELP = `Usage: rtc-triage lab [--json] [--host 127.0.0.1]

Starts the embedded lab on loopback — a STUN server over UDP and TCP, a GUN relay and a PeerJS
server — and serves until interrupted (Ctrl-C, SIGINT or SIGTERM).

Options:
  --json          print one line: a config file's JSON listing the lab's targets
  --host ADDR     address to listen on (default 127.0.0.1; ::1 for IPv6): loopback, or an
                  address of one of this machine's interfaces (the network lab serves it from a
                  namespace's public address, see docs/lab.md); never a wildcard like 0.0.0.0
  -h, --help      show this help
`;

export const SERVE_HELP = `Usage: rtc-triage serve [--port N] [--host 127.0.0.1] [--config FILE] [--db FILE] [--lab]

Serves the RTC Triage UI and its API on this machine so it can be used from a browser: the same
screens as the desktop app (overview, servers, history, attempts, settings, bundles). Targets and
settings saved in the UI are kept in the history database.

Options:
  --port N        port to listen on (default 7357; 0 picks a free port)
  --host ADDR     address to listen on (default 127.0.0.1: this machine only; any other address
                  makes the UI reachable from the network and prints a warning). Every request
                  needs the access token, on loopback too (other users of this machine reach
                  127.0.0.1): ${'$'}RTC_TRIAGE_SERVE_TOKEN, or a random one; open the printed address
                  (it carries the token) to get in
  --config FILE   JSON config listing targets (default: the public STUN servers in resources/)
  --db FILE       history database (default: the user data folder)
  --lab           also start the embedded lab on loopback and test it (layer L1)
  -h, --help      show this help
`;

export const HISTORY_HELP = `Usage: rtc-triage history [--since 24h] [--json] [--db FILE] [--tz ZONE] [--app-failing]

Analyses the stored history: failure rates over sliding windows (likely outage: >80% of >10
attempts in 30 min; alert: >20% over 10 min) per target, per kind and overall; outages with their
start, end and recovery time; consecutive failures; outages that recur at the same time of day on
several days; flapping. Then gives one verdict: infrastructure, network, this machine, or the app.

Options:
  --since DUR     how far back to look (default 24h; 1m to 400d, e.g. 90m, 7d)
  --json          print one JSON object (schema rtc-triage/history@1) on stdout
  --db FILE       history database to read (default: the user data folder)
  --tz ZONE       IANA time zone for time-of-day windows (default: this system's)
  --app-failing   the user says the app fails: a clean history then reads "app-suspect"
  -h, --help      show this help

Exit codes: 0 healthy, 1 a problem verdict, 2 bad usage, 3 internal error.
`;

export const MONITOR_HELP = `Usage: rtc-triage monitor [--every 60s] [--metrics-port N] [--config FILE] [--db FILE] [--lab]
                          [--metrics-host 127.0.0.1] [--cycles N] [--raise-after 2] [--clear-after 2]

Runs a diagnosis every --every (each start jittered by up to 10% of the period, at most 30 s, so
many agents do not probe in lock-step), keeps every attempt in the history, and watches for alert
episodes: a server down (nothing on it succeeded) or resources left open. An episode is raised
after --raise-after bad diagnoses in a row and recovers after --clear-after good ones: one alert and
one recovery per episode, however the server flaps in between.

On stdout: one JSON log line (pino) per cycle, alert and recovery. The full structured log (every
event, with run and correlation ids) goes to logs/rtc-triage.log next to the history database.
With --metrics-port, Prometheus metrics are served on http://127.0.0.1:N/metrics (see
resources/prometheus/rules.yml and resources/grafana/dashboard.json). OTLP spans are sent when
OTEL_EXPORTER_OTLP_ENDPOINT is set. The config's "flags" turn retries (resilience), telemetry and
fault injection for drills (chaos) on or off. Details: docs/monitoring.md.

Options:
  --every DUR          time between diagnoses (default 60s; 1s to 24h; e.g. 30s, 5m)
  --metrics-port N     serve /metrics on this port (0 picks a free one, printed on stdout)
  --metrics-host ADDR  address for /metrics (default 127.0.0.1: this machine only)
  --config FILE        JSON config listing targets (default: the public STUN servers in resources/)
  --db FILE            history database (default: the user data folder)
  --lab                also start the embedded lab on loopback and test it (layer L1)
  --cycles N           stop after N diagnoses (default: run until Ctrl-C, SIGINT or SIGTERM)
  --raise-after N      bad diagnoses in a row before an alert (default 2)
  --clear-after N      good diagnoses in a row before a recovery (default 2)
  -h, --help           show this help

Exit codes: 0 stopped, 1 stopped with an alert still going on, 2 bad usage or invalid config, 3 internal error.
`;

export const PARTNER_HELP = `Usage: rtc-triage partner --host [--code-ttl 10m] [--config FILE] [--db FILE] [--json]
       rtc-triage partner --join CODE [--config FILE] [--db FILE] [--json]

The remote partner test: proves whether WebRTC works between two networks, instead of inferring
it. A user with the problem runs one side, the support engineer the other, each on their own
network, with the same config (its signaling servers let them meet; its STUN and TURN servers are
used for the sessions). The host shows a short code (8 letters and digits, works once, expires);
the other side enters it. They meet through each configured GUN relay / PeerJS server in turn, then
run, in order: a host-only session, a reflexive-only (direct) session and a relay-only session
through each TURN server both configs list, each with data-channel RTT, loss over a short burst
and throughput. Both sides store the attempts under one shared correlation id and print the same
table; the verdict then says whether this network connects directly or needs TURN.
The code carries no address; the servers only see a hash of it, and every message is encrypted
with a key derived from it.

Options:
  --host          show a code and wait for the partner
  --join CODE     meet the partner who shows CODE (case, spaces and O/0, I/L/1 mix-ups are forgiven)
  --code-ttl DUR  how long the host's code is valid (default 10m; 1s to 60m)
  --config FILE   JSON config listing targets (needs at least one gun or peerjs target)
  --db FILE       history database to write (default: the user data folder)
  --json          host: first line {"code","expiresAt"}; both: last line the result
                  (schema rtc-triage/partner@1: paths tried with outcome and metrics, crossNetwork
                  with the path that worked, direct or relay)
  -h, --help      show this help

A partner that vanishes mid-test (closed, crashed, offline) is noticed within a few seconds (no
message for max(6 s, 2 x timeouts.answerMs)) and the test ends as "partner-lost", cleaned up.

Exit codes: 0 the test ran and the verdict is healthy, 1 a problem (cross-network failure, TURN
needed, partner lost, code expired unused), 2 bad usage or a wrong, expired or used code, 3 internal error.
`;
