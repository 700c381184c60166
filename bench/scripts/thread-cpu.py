#!/usr/bin/env python3
"""CPU per thread of the bench's processes over an interval, as a share of one core.

    bench/scripts/thread-cpu.py SECONDS

Finds the rocksraft node JVMs (".../nN.yml"), the etcd members and the bench JVM on this machine,
names the JVMs' threads with jstack, reads every thread's user and system ticks from /proc before
and after SECONDS, and prints each process' total, its kernel share, and its busiest thread kinds
(numbered threads of one pool summed). Run it while a bench run is in its warm-up or measured phase.
"""
import collections, os, re, subprocess, sys, time

TICKS = os.sysconf('SC_CLK_TCK')


def processes():
    found = {}
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            cmd = open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\0', b' ').decode()
        except OSError:
            continue
        node = re.search(r'server \S*?(n\d+)\.yml', cmd)
        if node:
            found[pid] = node.group(1)
        elif 'io.rocksraft.bench.BenchCommand' in cmd:
            found[pid] = 'load'
        elif re.match(r'\S*/etcd ', cmd) and '--name' in cmd:
            found[pid] = 'etcd-' + re.search(r'--name[= ](\S+)', cmd).group(1)
    return found


def thread_names(procs):
    names = {}
    for pid, label in procs.items():
        if label.startswith('etcd'):
            continue  # Go: one name for all threads
        out = subprocess.run(['jstack', pid], capture_output=True, text=True, timeout=60).stdout
        for m in re.finditer(r'^"([^"]+)".*? nid=(0x[0-9a-f]+)', out, re.M):
            names[str(int(m.group(2), 16))] = m.group(1)
    return names


def kind(name):
    name = re.sub(r'group-[0-9A-F]+', 'group', name)
    return re.sub(r'[-#]?\d+$', '', name)


def sample(procs, names):
    ticks = {}
    for pid, label in procs.items():
        try:
            tids = os.listdir(f'/proc/{pid}/task')
        except OSError:
            continue
        for tid in tids:
            try:
                stat = open(f'/proc/{pid}/task/{tid}/stat').read()
            except OSError:
                continue
            comm = stat[stat.index('(') + 1:stat.rindex(')')]
            fields = stat[stat.rindex(')') + 2:].split()
            ticks[(label, tid)] = (kind(names.get(tid, comm)), int(fields[11]), int(fields[12]))
    return ticks


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20
    procs = processes()
    if not procs:
        sys.exit('no rocksraft node, etcd member or bench process found')
    names = thread_names(procs)
    before = sample(procs, names)
    time.sleep(seconds)
    after = sample(procs, names)
    per_kind, total, kernel = collections.Counter(), collections.Counter(), collections.Counter()
    for key, (k, user, system) in after.items():
        _, user0, system0 = before.get(key, (k, 0, 0))
        used = user - user0 + system - system0
        per_kind[(key[0], k)] += used
        total[key[0]] += used
        kernel[key[0]] += system - system0
    share = lambda t: 100.0 * t / TICKS / seconds
    for label in sorted(total):
        print(f'== {label}: {share(total[label]):.1f} % of a core ({share(kernel[label]):.1f} % in the kernel)')
        for (owner, k), used in per_kind.most_common():
            if owner == label and share(used) >= 0.8:
                print(f'   {share(used):6.1f} %  {k}')
    print(f'all: {share(sum(total.values())):.1f} % of a core')


if __name__ == '__main__':
    main()
