package io.rocksraft.server.tier;

/**
 * What one restore did with each of the manifest's files: downloaded, hard-linked or copied from
 * a local directory, or kept because the target already had it; and how many stray files it
 * removed from the target.
 */
public record DownloadResult(int downloaded, long bytesDownloaded, int linked, int copied, int kept, int removed) {
}
