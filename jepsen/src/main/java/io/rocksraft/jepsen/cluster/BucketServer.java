package io.rocksraft.jepsen.cluster;

import java.net.URI;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * The object-storage tier's bucket for a cluster in containers: S3Proxy over jclouds' in-memory
 * blob store, with AWS signatures checked, run as the main of the bucket's own container (see
 * {@link BucketContainer}). The bucket lives as long as the container: one run.
 *
 * <p>Usage: {@code BucketServer PORT BUCKET ACCESS_KEY SECRET_KEY}.
 */
public final class BucketServer {
  private BucketServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: BucketServer PORT BUCKET ACCESS_KEY SECRET_KEY");
      System.exit(2);
    }
    BlobStoreContext context = ContextBuilder.newBuilder("transient")
        .credentials("identity", "credential").build(BlobStoreContext.class);
    context.getBlobStore().createContainerInLocation(null, args[1]);
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .endpoint(URI.create("http://0.0.0.0:" + args[0]))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, args[2], args[3])
        .build();
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      Thread.onSpinWait();
    }
    // The container's wait strategy watches for this line.
    System.out.println("bucket " + args[1] + " serving on port " + proxy.getPort());
    Thread.currentThread().join();
  }
}
