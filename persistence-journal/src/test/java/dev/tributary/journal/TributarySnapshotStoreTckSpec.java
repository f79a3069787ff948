package dev.tributary.journal;

import java.nio.file.Path;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.snapshot.JavaSnapshotStoreSpec;

/** The Pekko persistence TCK for snapshot stores, against our plugin on a real disk. */
public class TributarySnapshotStoreTckSpec extends JavaSnapshotStoreSpec {

  private static final Path DIR = TestDirectories.create("tributary-snapshot-tck");

  public TributarySnapshotStoreTckSpec() {
    super(TckConfig.forDirectory(DIR));
  }

  @Override
  public CapabilityFlag supportsSerialization() {
    return CapabilityFlag.on();
  }

  @Override
  public CapabilityFlag supportsMetadata() {
    return CapabilityFlag.on();
  }

  @Override
  public void afterAll() {
    super.afterAll();
    TestDirectories.deleteRecursively(DIR);
  }
}
