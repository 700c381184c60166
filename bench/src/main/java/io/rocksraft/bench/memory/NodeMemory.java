package io.rocksraft.bench.memory;

/**
 * The peak of each figure of one process over a run, in bytes (each figure's own peak, so they
 * need not add up). The figures after {@code rssBytes} come from a rocksraft node's metrics and
 * are null for etcd.
 *
 * @param rssBytes      resident memory ({@code VmRSS} of {@code /proc/PID/status})
 * @param heapUsed      Java heap in use
 * @param heapCommitted Java heap the JVM holds
 * @param directBytes   direct (off-heap) NIO buffers, Netty's among them
 * @param rocksdbCache  RocksDB's shared cache: blocks and the memtables charged to it
 * @param memtables     every memtable of both databases
 */
public record NodeMemory(String name, long samples, long rssBytes, Long heapUsed, Long heapCommitted,
                         Long directBytes, Long rocksdbCache, Long memtables) {}
