// Appends container output to the log in the CRI format, one record per line:
//   <RFC3339Nano UTC> <stdout|stderr> <F|P> <content>\n
#ifndef BERTH_MONITOR_CRILOG_H
#define BERTH_MONITOR_CRILOG_H

#include <stddef.h>

// Longest content of one record; longer lines are cut into partial (P) records.
#define CRILOG_MAX_LINE (16 * 1024)

// Writes one chunk as it was read: each complete line is a full (F) record, a trailing piece
// without its newline is a partial (P) one. Stateless, so nothing is held back in memory and
// nothing is lost if the monitor dies; a reader reassembles partial records.
void crilog_write(int log_fd, const char *stream, const char *data, size_t len);

#endif
