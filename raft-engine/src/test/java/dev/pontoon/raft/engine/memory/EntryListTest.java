package dev.pontoon.raft.engine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EntryListTest {

  @Test
  void behavesAsAListUnderRandomAppendsAndTruncationsAcrossChunkBoundaries() {
    for (long seed = 1; seed <= 50; seed++) {
      Random random = new Random(seed);
      // Odd seeds append commands only, so that most chunks hold one term and one kind (kept
      // once per chunk) until a new term or a truncation makes a chunk keep them per entry.
      boolean mixedKinds = seed % 2 == 0;
      EntryList list = new EntryList(16);
      List<LogEntry> model = new ArrayList<>();
      long next = 1;
      for (int step = 0; step < 400; step++) {
        int op = random.nextInt(10);
        if (op < 6) {
          for (int k = random.nextInt(40); k > 0; k--) {
            long term = 1 + step / 50;
            LogEntry e = mixedKinds && random.nextBoolean() ? LogEntry.noOp(next++, term)
                : LogEntry.command(next++, term, Bytes.ofUtf8("s" + seed + "/" + step + "/" + k));
            list.add(e);
            model.add(e);
          }
        } else if (op < 8) {
          int keep = random.nextInt(model.size() + 1);
          list.keepFirst(keep);
          model.subList(keep, model.size()).clear();
          // The store appends after what it kept, as after a suffix truncation.
          next = model.isEmpty() ? next : model.get(model.size() - 1).index() + 1;
        } else if (op < 9) {
          int drop = random.nextInt(model.size() + 1);
          list.dropFirst(drop);
          model.subList(0, drop).clear();
        } else {
          list = list.copy();
        }
        assertEquals(model.size(), list.size(), "size, seed " + seed + " step " + step);
        for (int i = 0; i < model.size(); i++) {
          assertEquals(model.get(i), list.get(i), "position " + i + ", seed " + seed + " step " + step);
          assertEquals(model.get(i).term(), list.term(i), "term at position " + i + ", seed " + seed + " step " + step);
        }
      }
    }
  }

  @Test
  void keepsEachPayloadsArrayNotACopy() {
    byte[] shared = {4, 2};
    EntryList list = new EntryList(16);
    for (int i = 1; i <= 40; i++) {
      list.add(LogEntry.command(i, 1, Bytes.wrap(shared)));
    }
    for (int i = 0; i < 40; i++) {
      LogEntry read = list.get(i);
      assertEquals(LogEntry.command(i + 1, 1, Bytes.of(new byte[] {4, 2})), read);
      assertSame(shared, read.payload().unwrap(), "entry " + (i + 1) + " holds the array it was given");
    }
  }

  @Test
  void keepsNoWrapperBesideThePayloadsArray() {
    // A long in-memory log is what young collections copy: one object per entry, not two.
    byte[] shared = {4, 2};
    EntryList list = new EntryList(16);
    Bytes wrapper = Bytes.wrap(shared);
    WeakReference<Bytes> handedIn = new WeakReference<>(wrapper);
    list.add(LogEntry.command(1, 1, wrapper));
    wrapper = null;
    for (int i = 0; i < 50 && handedIn.get() != null; i++) {
      System.gc();
    }
    assertNull(handedIn.get(), "the list still holds the Bytes it was handed");
    assertSame(shared, list.get(0).payload().unwrap());
  }

  @Test
  void refusesAnEntryThatDoesNotFollowTheLastOne() {
    EntryList list = new EntryList(16);
    list.add(LogEntry.noOp(7, 1));
    assertThrows(IllegalArgumentException.class, () -> list.add(LogEntry.noOp(9, 1)));
    assertThrows(IllegalArgumentException.class, () -> list.add(LogEntry.noOp(7, 1)));
    list.add(LogEntry.noOp(8, 1));
    assertEquals(2, list.size());
  }

  @Test
  void refusesPositionsOutsideTheEntriesHeld() {
    EntryList list = new EntryList(16);
    list.add(LogEntry.noOp(1, 1));
    assertThrows(IndexOutOfBoundsException.class, () -> list.get(1));
    assertThrows(IndexOutOfBoundsException.class, () -> list.get(-1));
    assertThrows(IndexOutOfBoundsException.class, () -> list.keepFirst(2));
    assertThrows(IndexOutOfBoundsException.class, () -> list.dropFirst(2));
  }

  @Test
  void chunkSizeMustBeAPowerOfTwo() {
    assertThrows(IllegalArgumentException.class, () -> new EntryList(24));
    assertThrows(IllegalArgumentException.class, () -> new EntryList(8));
  }
}
