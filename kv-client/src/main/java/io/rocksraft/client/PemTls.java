package io.rocksraft.client;

import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS material from PEM files, read again whenever a file changes, so certificates rotate
 * without a restart: new connections present and accept the new ones, open connections go on.
 * The key manager presents this side's certificate chain; the trust manager accepts the other
 * side when a certificate of the CA bundle signed its chain (and, when this side dials, when the
 * certificate names the host dialled). A file that turns unreadable while running keeps the last
 * good material in use.
 */
public final class PemTls implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PemTls.class);
  private final AdvancedTlsX509KeyManager keyManager;
  private final AdvancedTlsX509TrustManager trustManager;
  private final ScheduledExecutorService reloader;

  private PemTls(Path caFile, Path certFile, Path keyFile, Duration reloadEvery) {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("a TLS certificate file needs its key file and the other way round (got "
          + (certFile == null ? "a key file only" : "a certificate file only") + ")");
    }
    if (reloadEvery.toMillis() < 1) {
      throw new IllegalArgumentException("the TLS reload interval must be positive: " + reloadEvery);
    }
    try {
      trustManager = AdvancedTlsX509TrustManager.newBuilder()
          .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)
          .build();
      if (caFile == null) {
        trustManager.useSystemDefaultTrustCerts();
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no default trust store in this JVM", e);
    }
    List<Watched> watched = new ArrayList<>();
    if (caFile != null) {
      readable(caFile, "CA");
      watched.add(new Watched("CA bundle " + caFile, List.of(caFile),
          () -> trustManager.updateTrustCredentials(caFile.toFile())));
    }
    if (certFile != null) {
      readable(certFile, "certificate");
      readable(keyFile, "key");
      keyManager = new AdvancedTlsX509KeyManager();
      watched.add(new Watched("certificate " + certFile + " with key " + keyFile, List.of(certFile, keyFile),
          () -> loadIdentity(certFile, keyFile)));
    } else {
      keyManager = null;
    }
    for (Watched w : watched) {
      w.loadOrThrow();
    }
    // gRPC's own file watching re-reads at most once a minute; this checks as often as asked.
    reloader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tls-reload");
      t.setDaemon(true);
      return t;
    });
    reloader.scheduleWithFixedDelay(() -> watched.forEach(Watched::reloadIfChanged),
        reloadEvery.toMillis(), reloadEvery.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * TLS from PEM files: {@code caFile} the CA bundle to trust (null: the JVM's default roots),
   * {@code certFile} and {@code keyFile} this side's certificate chain and its PKCS#8 key
   * (both null: no certificate of its own), each checked for changes every {@code reloadEvery}.
   *
   * @throws IllegalArgumentException naming the file that is missing or not valid PEM
   */
  public static PemTls load(Path caFile, Path certFile, Path keyFile, Duration reloadEvery) {
    return new PemTls(caFile, certFile, keyFile, reloadEvery);
  }

  private interface Loader {
    void run() throws IOException, GeneralSecurityException;
  }

  /** Files read together, and when they last changed as of the last read. */
  private static final class Watched {
    private final String what;
    private final List<Path> files;
    private final Loader loader;
    private List<FileTime> loaded = List.of();

    Watched(String what, List<Path> files, Loader loader) {
      this.what = what;
      this.files = files;
      this.loader = loader;
    }

    void loadOrThrow() {
      List<FileTime> now = modified();
      try {
        loader.run();
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        throw new IllegalArgumentException("TLS " + what + " could not be loaded (PEM expected; keys as PKCS#8, "
            + "\"BEGIN PRIVATE KEY\"): " + e, e);
      }
      loaded = now;
    }

    /** Keeps what it has when the files are unreadable or half written; the next check tries again. */
    void reloadIfChanged() {
      if (!modified().equals(loaded)) {
        try {
          loadOrThrow();
          LOG.info("TLS {} reloaded", what);
        } catch (RuntimeException e) {
          LOG.warn("TLS {} changed but could not be reloaded; keeping the previous one: {}", what, e.getMessage());
        }
      }
    }

    private List<FileTime> modified() {
      List<FileTime> times = new ArrayList<>();
      for (Path f : files) {
        try {
          times.add(Files.getLastModifiedTime(f));
        } catch (IOException e) {
          times.add(FileTime.fromMillis(0));
        }
      }
      return times;
    }
  }

  /** Reads the pair and puts it in use only when the key is the certificate's (not a half-written renewal). */
  private void loadIdentity(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
    X509Certificate[] chain;
    PrivateKey key;
    try (InputStream c = Files.newInputStream(certFile); InputStream k = Files.newInputStream(keyFile)) {
      chain = CertificateUtils.getX509Certificates(c);
      key = CertificateUtils.getPrivateKey(k);
    }
    if (chain.length == 0) {
      throw new GeneralSecurityException(certFile + " holds no certificate");
    }
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> throw new GeneralSecurityException("keys of type " + key.getAlgorithm() + " are not supported");
    };
    byte[] probe = "rocksraft key check".getBytes(StandardCharsets.UTF_8);
    Signature sign = Signature.getInstance(algorithm);
    sign.initSign(key);
    sign.update(probe);
    Signature verify = Signature.getInstance(algorithm);
    verify.initVerify(chain[0].getPublicKey());
    verify.update(probe);
    if (!verify.verify(sign.sign())) {
      throw new GeneralSecurityException("the key in " + keyFile + " is not the key of the certificate in " + certFile);
    }
    keyManager.updateIdentityCredentials(chain, key);
  }

  private static void readable(Path file, String what) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException("TLS " + what + " file " + file + " does not exist or is not readable");
    }
  }

  /** This side's certificate, when it has one. */
  public Optional<X509ExtendedKeyManager> keyManager() {
    return Optional.ofNullable(keyManager);
  }

  public X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  /** A JSSE context over the same managers, for servers and clients outside gRPC. */
  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManager == null ? null : new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  /** Stops watching the files. */
  @Override
  public void close() {
    reloader.shutdownNow();
  }
}
