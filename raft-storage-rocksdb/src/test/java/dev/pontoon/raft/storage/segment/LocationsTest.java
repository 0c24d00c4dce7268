package dev.pontoon.raft.storage.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Locations} against a plain list, through appends, truncations and compactions across pages. */
class LocationsTest {
  private record Where(long term, long segment, int offset, int length) {}

  @Test
  void agreesWithAListThroughRandomAppendsTruncationsAndCompactions() {
    SplittableRandom random = new SplittableRandom(0x10CA7105L);
    Locations locations = new Locations();
    List<Where> model = new ArrayList<>();
    long first = 1;
    long termBefore = 0;
    long term = 1;
    for (int step = 0; step < 3_000; step++) {
      int choice = random.nextInt(10);
      if (choice < 6) {
        int count = random.nextInt(1, Locations.PAGE / 4);
        for (int i = 0; i < count; i++) {
          Where w = new Where(term, random.nextLong(1, 100), random.nextInt(1 << 30), random.nextInt(1, 1 << 20));
          locations.add(w.term(), w.segment(), w.offset(), w.length());
          model.add(w);
        }
      } else if (choice < 8 && !model.isEmpty()) {
        long from = first + random.nextInt(model.size() + 1);
        locations.truncateFrom(from);
        model.subList((int) (from - first), model.size()).clear();
        term++;
      } else if (!model.isEmpty()) {
        long last = first + model.size() - 1;
        boolean keep = random.nextBoolean();
        long newFirst = keep ? first + random.nextInt(model.size()) + 1 : last + 1 + random.nextInt(3);
        long before = keep ? model.get((int) (newFirst - 1 - first)).term() : term;
        locations.restart(newFirst, before, keep ? last : newFirst - 1);
        if (keep) {
          model.subList(0, (int) (newFirst - first)).clear();
        } else {
          model.clear();
        }
        first = newFirst;
        termBefore = before;
      }
      assertEquals(first, locations.firstIndex(), "first index at step " + step);
      assertEquals(first + model.size() - 1, locations.lastIndex(), "last index at step " + step);
      assertEquals(termBefore, locations.term(first - 1), "term before the first at step " + step);
      if (!model.isEmpty()) {
        for (int probe = 0; probe < 20; probe++) {
          int i = random.nextInt(model.size());
          long index = first + i;
          Where w = model.get(i);
          assertEquals(w, new Where(locations.term(index), locations.segment(index), locations.offset(index),
              locations.length(index)), "entry " + index + " at step " + step);
        }
        assertEquals(model.get(0).segment(), locations.oldestSegment(-7));
      } else {
        assertEquals(-7, locations.oldestSegment(-7));
      }
    }
  }
}
