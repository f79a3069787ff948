package dev.tributary.journal;

import java.nio.file.Path;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.journal.JavaJournalSpec;

/** The Pekko persistence TCK for journals, against our plugin on a real disk. */
public class TributaryJournalTckSpec extends JavaJournalSpec {

  private static final Path DIR = TestDirectories.create("tributary-journal-tck");

  public TributaryJournalTckSpec() {
    super(TckConfig.forDirectory(DIR));
  }

  @Override
  public CapabilityFlag supportsRejectingNonSerializableObjects() {
    return CapabilityFlag.on();
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
