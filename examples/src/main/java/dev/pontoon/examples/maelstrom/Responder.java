package dev.pontoon.examples.maelstrom;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Where the answer to one client request goes: straight to the client, or back through the node that forwarded it. */
interface Responder {
  /** A success; {@code fields} holds "type" and the reply's other fields. */
  void ok(ObjectNode fields);

  /** A Maelstrom error with {@code code}. */
  void error(int code, String text);
}
