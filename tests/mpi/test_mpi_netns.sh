#!/bin/bash
# matbench-mpi across two "hosts": two network namespaces joined by a veth
# pair, each rank in its own namespace (and UTS namespace, so each has its
# own host name), Open MPI's TCP transport forced across the link. mpirun
# starts the second host's daemon through a plm_rsh_agent that enters that
# namespace instead of ssh. The only addresses used are the two namespaces'
# own (10.203.77.1 and .2 on the veth pair); everything is removed on exit,
# and the run is bounded in time. Exits 77 (skipped) where namespaces
# cannot be made (not root, no CAP_SYS_ADMIN, no iproute2).
# Usage: test_mpi_netns.sh MPIEXEC MATBENCH_MPI
set -u
mpiexec=$1 bin=$2
tag=mb$$ # names unique to this run
nsa=${tag}a nsb=${tag}b
tmp=$(mktemp -d)
cleanup() {
    ip netns del "$nsa" 2>/dev/null
    ip netns del "$nsb" 2>/dev/null # deleting a namespace deletes its end of the veth pair
    rm -rf "$tmp"
}
trap cleanup EXIT
skip() { echo "SKIPPED: $1"; exit 77; }
command -v ip >/dev/null || skip "no ip command (apt-get install iproute2)"
command -v unshare >/dev/null || skip "no unshare (util-linux)"
ip netns add "$nsa" 2>/dev/null || skip "cannot create a network namespace here (needs root and CAP_SYS_ADMIN)"
ip netns add "$nsb" || skip "cannot create a second network namespace"
ip link add "${tag}va" type veth peer name "${tag}vb" || skip "cannot create a veth pair"
ip link set "${tag}va" netns "$nsa" && ip link set "${tag}vb" netns "$nsb" &&
    ip -n "$nsa" addr add 10.203.77.1/24 dev "${tag}va" &&
    ip -n "$nsb" addr add 10.203.77.2/24 dev "${tag}vb" &&
    ip -n "$nsa" link set "${tag}va" up && ip -n "$nsb" link set "${tag}vb" up &&
    ip -n "$nsa" link set lo up && ip -n "$nsb" link set lo up ||
    skip "cannot configure the veth pair"

cat >"$tmp/agent" <<AGENT
#!/bin/bash
# plm_rsh_agent: [options] HOST COMMAND... -> COMMAND in HOST's namespaces
# (COMMAND may start with "PATH=... ; export PATH ;": a shell runs it)
while [ \$# -gt 0 ] && [ "\${1#-}" != "\$1" ]; do shift; done
host=\$1; shift
case \$host in
10.203.77.1) ns=$nsa name=mbhost-a ;;
10.203.77.2) ns=$nsb name=mbhost-b ;;
*) echo "agent: \$host is not one of the two namespaces" >&2; exit 1 ;;
esac
exec ip netns exec "\$ns" unshare --uts sh -c "hostname \$name && \$*"
AGENT
chmod +x "$tmp/agent"
printf '10.203.77.1 slots=1\n10.203.77.2 slots=1\n' >"$tmp/hosts"

timeout 180 ip netns exec "$nsa" unshare --uts sh -c "hostname mbhost-a && exec $mpiexec \
    -np 2 --hostfile $tmp/hosts --mca plm_rsh_agent $tmp/agent --mca plm_rsh_no_tree_spawn 1 \
    --mca btl tcp,self --mca btl_tcp_if_include 10.203.77.0/24 \
    --mca oob_tcp_if_include 10.203.77.0/24 --quiet \
    $bin 130 --nb 16 --repeat 1 --warmup 0 --format json" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
passed=0 failed=0
check() {
    if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi
}
check "the two-host run exits 0 (rc $rc: $(tail -3 "$tmp/err" | tr '\n' ' '))" [ "$rc" = 0 ]
check "it ran on two hosts" grep -q '"hosts": 2' "$tmp/out"
check "one rank on each" grep -q '"host_list": "mbhost-a (1 rank), mbhost-b (1 rank)"' "$tmp/out"
check "all three kernels verified" [ "$(grep -c '"verified": true' "$tmp/out")" = 3 ]
check "no one-rank comparison across hosts, and it says why" \
    [ "$(grep -c '"one_rank_why": "the ranks run on several hosts"' "$tmp/out")" = 3 ]
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
