#!/usr/bin/env bash
# Names are printed in path syntax with their control characters as %XX
# (mgrctl(1), OUTPUT): a name anyone made cannot retitle the terminal,
# clear it or fake a line of output, and what is printed still names the
# object.  --json stays exact JSON.
. "$(dirname "$0")/lib.sh"

start_mgrd
esc=$'a\e]0;owned\ab'	# ESC ] 0 ; ... BEL: sets the terminal's title
nl=$'x\nfake-entry'	# a line of its own
csi=$'c\xc2\x9b2Jd'	# U+009B, the C1 CSI: clears the screen on some terminals
del=$'e\x7ff'
printed=('a%1B]0;owned%07b' 'x%0Afake-entry' 'c%C2%9B2Jd' 'e%7Ff' 'p%25q%2Fr')

t_ok "make a namespace" mc new namespace n
i=0
for name in "$esc" "$nl" "$csi" "$del"; do
	i=$((i + 1))
	mc set "n/$name" "$i" || bail "cannot set a value with a control character in its name"
done
t_ok "and a name with % and /" mc set 'n/p%25q%2Fr' 5

t_out "$(printf '%s\n' "${printed[@]}")" "ls prints control characters as %XX" mc ls n
run mc ls -l n
t_true "and so does ls -l" test "$(awk '{print $4}' <<<"$OUT")" = "$(printf '%s\n' "${printed[@]}")"
t_out "$(printf '%s\t%s\n' "${printed[0]}" 1 "${printed[1]}" 2 "${printed[2]}" 3 \
	"${printed[3]}" 4 "${printed[4]}" 5)" "items too" mc items n
t_true "nothing printed holds a control character" \
	sh -c "! '$MGRCTL' ls n | LC_ALL=C grep -q '[[:cntrl:]]'"
i=0
for p in "${printed[@]}"; do
	i=$((i + 1))
	t_out "$i" "what ls printed names the object: get n/$p" mc get "n/$p"
done
t_json "[e['name'] for e in v['entries']] == ['a\x1b]0;owned\x07b', 'x\nfake-entry', \
'c\u009b2Jd', 'e\x7ff', 'p%q/r']" "--json ls keeps the names exact" mc --json ls n
t_ok "and one more, made last" mc set "n/"$'\e[2J' 6
t_out "$(printf '%%1B[2J\t6')" "popitem prints the name as ls does" mc popitem n

# watch prints paths the same way.  It may subscribe after a change made
# at once, so the change is made until it has printed one.
"$MGRCTL" watch --count 1 n >"$TMP/watch.out" 2>&1 &
watcher=$!
bg "$watcher"
for ((i = 0; i < 600; i++)); do
	mc set "n/$nl" "$i" >/dev/null
	alive "$watcher" || break
	sleep 0.05
done
wait "$watcher"
t_true "watch prints a path's control characters as %XX" \
	grep -Eqx "update value [0-9]+ n/x%0Afake-entry" "$TMP/watch.out"
finish
