// Attach clients: framed byte streams over the attach socket.
// Frame = 1 byte type + 4 byte big-endian payload length + payload, in both directions.
#ifndef BERTH_MONITOR_CLIENTS_H
#define BERTH_MONITOR_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// client -> monitor
#define FRAME_STDIN 1
#define FRAME_CLOSE_STDIN 2
#define FRAME_RESIZE 3
// monitor -> client
#define FRAME_STDOUT 1
#define FRAME_STDERR 2
#define FRAME_EXIT 3

#define FRAME_HEADER 5
// While a client has this much output unsent, the monitor stops reading the container's output
// (the container then waits on a full pipe, as under docker attach) so the client can catch up.
#define CLIENT_HIGH_WATER (1024 * 1024)
// A client that stays above the high-water mark this long takes nothing: it is dropped and the
// container goes on.
#define CLIENT_STALL_LIMIT_MS 2000
// Hard cap on a client's backlog: the high-water mark plus what one read (or the final drain of
// a pipe) can add after output stopped being read.
#define CLIENT_MAX_BACKLOG (CLIENT_HIGH_WATER + 256 * 1024)
#define CLIENT_IN_CAP (16 * 1024)
// Control frames (close stdin, resize) are tiny; anything bigger is a protocol error.
#define CONTROL_FRAME_MAX 16

struct client {
  int fd;
  struct client *next;
  // Where this client sits in the current poll set; -1 when it joined after the poll.
  int poll_slot;
  // Output not yet accepted by the socket.
  unsigned char *out;
  size_t out_len, out_cap;
  // Since when (monotonic ms) the backlog has been above the high-water mark; 0 when below.
  long behind_since_ms;
  // Input read but not yet handled.
  unsigned char in[CLIENT_IN_CAP];
  size_t in_len;
  // Inside a stdin frame: its payload bytes still to come.
  bool in_stdin_frame;
  uint32_t stdin_left;
};

struct client *client_new(int fd);
void client_free(struct client *c);

// Queues a frame: sends what the socket takes now and keeps the rest. Returns false when the
// client is gone or too far behind (the caller drops it).
bool client_send_frame(struct client *c, uint8_t type, const void *data, size_t len);

// Sends queued output on POLLOUT. Returns false when the client is gone.
bool client_flush(struct client *c);

// Reads what fits into the input buffer. Returns false on EOF or error.
bool client_fill(struct client *c);

// What the event loop does with a client's input.
struct stdin_sink {
  // Writes data to the container's stdin; returns how much was taken (less when it would block).
  size_t (*write)(void *ctx, const unsigned char *data, size_t len);
  void (*close)(void *ctx);
  void (*resize)(void *ctx, uint16_t rows, uint16_t cols);
  void *ctx;
};

enum input_result { INPUT_DONE, INPUT_BLOCKED, INPUT_PROTOCOL_ERROR };

// Handles the complete frames (and stdin payload pieces) in the input buffer.
enum input_result client_process_input(struct client *c, const struct stdin_sink *sink);

#endif
