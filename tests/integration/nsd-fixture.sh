#!/bin/sh
# nsd-fixture.sh -- run NSD on a free loopback port as a test fixture, serving
# every top-level *.zone file of a directory (zone name = file name without
# .zone). ctest runs `start` before the tests that need it (FIXTURES_SETUP)
# and `stop` after them, even when they fail (FIXTURES_CLEANUP).
#
#   nsd-fixture.sh start STATE_DIR ZONES_DIR   -> STATE_DIR/port, STATE_DIR/pid
#   nsd-fixture.sh stop  STATE_DIR
#
# Needs nsd (or $NSD), kdig, ldns-read-zone and setsid.
#
# Invariants: NSD is tracked by pid (it renames its processes), never by name;
# everything it writes stays in STATE_DIR; `stop` is safe when `start` failed.
# A zone file without SOA or NS at its apex gets a copy in STATE_DIR with
# synthetic ones prepended, because NSD refuses to serve such a zone.

set -u

# nsd lives in /usr/sbin, which is often not on a user's PATH; $NSD wins.
if [ -z "${NSD:-}" ]; then
	NSD=$(command -v nsd 2>/dev/null || echo /usr/sbin/nsd)
fi

usage() {
	echo "usage: $0 start STATE_DIR ZONES_DIR | stop STATE_DIR" >&2
	exit 2
}

log() {
	echo "nsd-fixture: $*" >&2
}

# 0 when PID is alive and is an nsd binary: guards against pid reuse.
is_our_nsd() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 0
	case "$exe" in
	*/nsd | */nsd\ \(deleted\)) return 0 ;;
	esac
	return 1
}

# Signal nsd's process group (it was started as a session leader, so the
# group id is its pid and the group holds its server and xfrd children);
# fall back to the pid alone.
signal_nsd() {
	kill "-$1" -- "-$2" 2>/dev/null || kill "-$1" "$2" 2>/dev/null
}

stop() {
	state=$1
	pidfile="$state/pid"
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile" 2>/dev/null)
	case "$pid" in
	'' | *[!0-9]*)
		rm -f "$pidfile"
		return 0
		;;
	esac
	if is_our_nsd "$pid"; then
		signal_nsd TERM "$pid"
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do
			sleep 0.01
			i=$((i + 1))
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "nsd $pid ignored TERM for 2 s; sending KILL"
			signal_nsd KILL "$pid"
		fi
	fi
	rm -f "$pidfile" "$state/port"
	return 0
}

# Print the canonical owner names of SOA and NS records in a zone file,
# read with $ORIGIN set to the zone name; nothing when it does not parse.
apex_types() {
	ldns-read-zone -c -E SOA -E NS "$1" 2>/dev/null |
		awk -v apex="$2" '$1 == apex && $3 == "IN" { print $4 }'
}

# Write the zone file NSD should load for ZONE (from FILE) and print its path.
prepare_zone() {
	file=$1
	zone=$2
	state=$3
	apex=$(printf '%s.' "$zone" | tr 'A-Z' 'a-z')
	copy="$state/zones/$zone.zone"
	{
		printf '$ORIGIN %s.\n' "$zone"
		cat "$file"
		printf '\n'
	} >"$copy.probe"
	types=$(apex_types "$copy.probe" "$apex")
	rm -f "$copy.probe"
	need_soa=1
	need_ns=1
	for t in $types; do
		[ "$t" = SOA ] && need_soa=0
		[ "$t" = NS ] && need_ns=0
	done
	if [ $need_soa = 0 ] && [ $need_ns = 0 ]; then
		printf '%s\n' "$file"
		return 0
	fi
	{
		printf '$ORIGIN %s.\n' "$zone"
		[ $need_soa = 1 ] &&
			printf '@ 3600 IN SOA ns.fixture.invalid. hostmaster.fixture.invalid. 1 3600 900 604800 300\n'
		[ $need_ns = 1 ] && printf '@ 3600 IN NS ns.fixture.invalid.\n'
		cat "$file"
		printf '\n'
	} >"$copy"
	printf '%s\n' "$copy"
}

write_conf() {
	state=$1
	zones=$2
	port=$3
	conf="$state/nsd.conf"
	cat >"$conf" <<EOF
server:
	ip-address: 127.0.0.1@$port
	port: $port
	do-ip4: yes
	do-ip6: no
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$state"
	pidfile: "$state/nsd.pid"
	zonelistfile: "$state/zone.list"
	xfrdfile: "$state/xfrd.state"
	xfrdir: "$state/xfr"
	logfile: "$state/nsd.log"
	server-count: 1
	reuseport: no
	verbosity: 1
	hide-version: yes
	# Tests send bursts of 100+ queries: no response rate limiting.
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
EOF
	cat "$state/zones.conf" >>"$conf"
}

# Write one zone: block per zone file; set FIRST_ZONE (a name to poll).
collect_zones() {
	state=$1
	zones=$2
	: >"$state/zones.conf"
	FIRST_ZONE=.
	for f in "$zones"/*.zone; do
		[ -f "$f" ] || continue
		zone=$(basename "$f" .zone)
		case "$zone" in
		'' | *[!A-Za-z0-9._-]*)
			log "skipping $f: not a plain zone name"
			continue
			;;
		esac
		path=$(prepare_zone "$f" "$zone" "$state")
		printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$zone" "$path" >>"$state/zones.conf"
		[ "$FIRST_ZONE" = . ] && FIRST_ZONE=$zone
	done
}

# Start nsd on PORT; 0 when it answers over TCP within 10 s.
try_port() {
	state=$1
	port=$2
	write_conf "$state" "$ZONES" "$port"
	rm -f "$state/nsd.pid"
	# setsid: own process group, so stop can signal nsd and its children
	# together. All descriptors redirected: ctest waits for open pipes.
	setsid "$NSD" -d -c "$state/nsd.conf" </dev/null >>"$state/nsd.out" 2>&1 &
	pid=$!
	echo "$pid" >"$state/pid"
	i=0
	while [ $i -lt 1000 ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		if kdig @127.0.0.1 -p "$port" +tcp +time=1 +retry=0 "$FIRST_ZONE" SOA \
			>/dev/null 2>&1; then
			echo "$port" >"$state/port"
			return 0
		fi
		sleep 0.01
		i=$((i + 1))
	done
	log "nsd on port $port not ready after 10 s"
	stop "$state"
	return 1
}

start() {
	state=$1
	ZONES=$2
	[ -d "$ZONES" ] || {
		log "no zones directory $ZONES"
		exit 1
	}
	mkdir -p "$state" || exit 1
	state=$(cd "$state" && pwd)
	ZONES=$(cd "$ZONES" && pwd)
	stop "$state"
	rm -rf "$state/zones" "$state/xfr" "$state/nsd.log"
	mkdir -p "$state/zones" "$state/xfr"
	: >"$state/nsd.out"
	collect_zones "$state" "$ZONES"
	tries=0
	while [ $tries -lt 20 ]; do
		rnd=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		port=$((20000 + rnd % 40001))
		if try_port "$state" "$port"; then
			log "nsd $(cat "$state/pid") serving $(grep -c '^zone:' "$state/zones.conf") zone(s) on 127.0.0.1:$port"
			return 0
		fi
		rm -f "$state/pid"
		tries=$((tries + 1))
	done
	log "could not start nsd; see $state/nsd.log and $state/nsd.out"
	tail -n 20 "$state/nsd.out" "$state/nsd.log" >&2 2>/dev/null
	exit 1
}

[ $# -ge 2 ] || usage
case "$1" in
start)
	[ $# -eq 3 ] || usage
	start "$2" "$3"
	;;
stop)
	stop "$2"
	;;
*)
	usage
	;;
esac
