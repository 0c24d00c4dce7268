package dev.pontoon.raft.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class EntryKindCodeTest {

  /** Stored logs and peers of other versions read these bytes: they never change. */
  @Test
  void entryKindCodesAreFixedAndIndependentOfDeclarationOrder() {
    assertEquals(1, EntryKind.COMMAND.code());
    assertEquals(2, EntryKind.NO_OP.code());
    assertEquals(3, EntryKind.CONFIGURATION.code());
    for (EntryKind kind : EntryKind.values()) {
      assertEquals(kind, EntryKind.ofCode(kind.code()));
    }
  }

  @Test
  void aCodeNoKindHasIsNoKind() {
    assertNull(EntryKind.ofCode(0));
    assertNull(EntryKind.ofCode(4));
    assertNull(EntryKind.ofCode(255));
  }
}
