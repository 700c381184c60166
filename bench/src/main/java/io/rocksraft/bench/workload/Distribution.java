package io.rocksraft.bench.workload;

import java.util.Locale;
import java.util.random.RandomGenerator;
import java.util.function.LongUnaryOperator;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.DiscreteSampler;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.simple.RandomSource;

/** How a key is picked from the key space. */
public enum Distribution {
  UNIFORM,
  /** YCSB's default: zipfian with exponent 0.99, hot keys scattered over the space. */
  ZIPFIAN;

  private static final double ZIPF_EXPONENT = 0.99;

  /** A chooser of key ids in [0, keys); not thread-safe (one per issuing thread). */
  public KeyChooser chooser(long keys, long seed) {
    return switch (this) {
      case UNIFORM -> {
        RandomGenerator random = new java.util.SplittableRandom(seed);
        yield () -> random.nextLong(keys);
      }
      case ZIPFIAN -> {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        DiscreteSampler zipf = RejectionInversionZipfSampler.of(rng, Math.toIntExact(keys), ZIPF_EXPONENT);
        LongUnaryOperator scatter = rank -> Math.floorMod(fnv1a(rank), keys);
        // Rank 1 is the hottest; scattering (as YCSB's scrambled zipfian) keeps hot keys apart.
        yield () -> scatter.applyAsLong(zipf.sample());
      }
    };
  }

  private static long fnv1a(long value) {
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < 8; i++) {
      hash ^= (value >>> (i * 8)) & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
