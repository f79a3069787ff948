package dev.tributary.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TopicPartition;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ClassicMembersTest {

  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  private static ClassicMembers.Joining joining(Set<TopicPartition> owned) {
    return new ClassicMembers.Joining("client", "", "range", "range", new byte[0], List.of("t"), owned, 45_000);
  }

  @Test
  void aNewMemberJoinsWithNoIdAndEpochZero() {
    ClassicMembers members = new ClassicMembers();
    ClassicMembers.Report report = members.joinReport("g", "", joining(Set.of()), 0);
    assertEquals("", report.memberId());
    assertEquals(0, report.appliedEpoch());
    assertEquals(1, members.joined("g", "m", 2, joining(Set.of()), 0));
    assertEquals(Errors.NONE, members.check("g", "m", 1));
    assertEquals(Errors.ILLEGAL_GENERATION, members.check("g", "m", 0));
    assertEquals(Errors.UNKNOWN_MEMBER_ID, members.check("g", "other", 1));
  }

  @Test
  void whatSyncGroupHandedOutCountsAsHeldUntilTheNextJoinSaysOtherwise() {
    ClassicMembers members = new ClassicMembers();
    members.joined("g", "m", 2, joining(Set.of()), 0);
    members.synced("g", "m", 2, List.of(P0, P1));
    assertEquals(List.of(P0, P1), members.report("g", "m", 1).orElseThrow().owned());
    assertEquals(2, members.report("g", "m", 1).orElseThrow().appliedEpoch());
    // An eager consumer revoked everything before its JoinGroup: it holds nothing now.
    ClassicMembers.Report rejoin = members.joinReport("g", "m", joining(Set.of()), 2);
    assertEquals(List.of(), rejoin.owned());
    assertEquals("m", rejoin.memberId());
    assertEquals(2, members.joined("g", "m", 3, joining(Set.of()), 2));
    assertEquals(List.of(), members.report("g", "m", 3).orElseThrow().owned());
  }

  @Test
  void aHeartbeatAsksForARejoinOnlyWhenTheOfferDiffersFromWhatWasSynced() {
    ClassicMembers members = new ClassicMembers();
    members.joined("g", "m", 2, joining(Set.of()), 0);
    assertFalse(members.heard("g", "m", 2, List.of(P0)), "between JoinGroup and SyncGroup the offer waits for SyncGroup");
    members.synced("g", "m", 2, List.of(P0, P1));
    assertFalse(members.heard("g", "m", 2, List.of(P1, P0)));
    assertTrue(members.heard("g", "m", 3, List.of(P0)));
    assertEquals(3, members.report("g", "m", 1).orElseThrow().appliedEpoch(), "the newest epoch heard");
  }

  @Test
  void commitsFromOutsideTheGroupGoAsTheEmptyMember() {
    ClassicMembers members = new ClassicMembers();
    assertEquals(new ClassicMembers.CommitCheck(Errors.NONE, "", -1), members.checkCommit("g", "", -1));
    members.joined("g", "m", 4, joining(Set.of()), 0);
    assertEquals(new ClassicMembers.CommitCheck(Errors.NONE, "m", 4), members.checkCommit("g", "m", 1));
    assertEquals(Errors.ILLEGAL_GENERATION, members.checkCommit("g", "m", 7).error());
  }

  @Test
  void membersSilentForTwiceTheirSessionAreForgotten() {
    ClassicMembers members = new ClassicMembers();
    members.joined("g", "m", 2, joining(Set.of()), 0);
    members.joinReport("g", "", joining(Set.of()), 91_000L * 1_000_000L);
    assertEquals(Errors.UNKNOWN_MEMBER_ID, members.check("g", "m", 1));
  }
}
