/* bench/pkt-line.h: git's pkt-line framing for the bench's C tools (null-filter.c, fake-git.c), one copy of it.
 * Header-only so each tool still builds with one `cc -O2 -o OUT bench/TOOL.c`. pkt_in and pkt_out are the file
 * descriptors packets are read from and written to; a tool sets them before its first packet. */
#ifndef GITTHETA_BENCH_PKT_LINE_H
#define GITTHETA_BENCH_PKT_LINE_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_PACKET = 65520, MAX_PAYLOAD = MAX_PACKET - 4 };

static int pkt_in = 0, pkt_out = 1;
static const char *pkt_tool = "pkt-line"; /* names the tool in its error messages */
static char packet_buffer[MAX_PACKET + 1]; /* the last packet read, NUL-terminated */

static void write_all(const char *from, size_t count) {
  while (count > 0) {
    ssize_t put = write(pkt_out, from, count);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) {
      fprintf(stderr, "%s: write: %s\n", pkt_tool, strerror(errno));
      exit(1);
    }
    from += put;
    count -= (size_t)put;
  }
}

/* Reads exactly count bytes; the other side closing its end ends the process (at_end: 0 = done, else an error). */
static void read_exact(char *into, size_t count, int at_end) {
  while (count > 0) {
    ssize_t got = read(pkt_in, into, count);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      fprintf(stderr, "%s: read: %s\n", pkt_tool, strerror(errno));
      exit(1);
    }
    if (got == 0) {
      if (at_end != 0) fprintf(stderr, "%s: the other side closed its output early\n", pkt_tool);
      exit(at_end);
    }
    into += got;
    count -= (size_t)got;
  }
}

/* Reads one pkt-line into packet_buffer; returns its payload length, or -1 for a flush packet. */
static int read_packet(int at_end) {
  char header[5] = {0};
  read_exact(header, 4, at_end);
  char *end;
  long length = strtol(header, &end, 16);
  if (end != header + 4 || (length > 0 && length < 4) || length > MAX_PACKET) {
    fprintf(stderr, "%s: bad pkt-line header '%.4s'\n", pkt_tool, header);
    exit(1);
  }
  if (length == 0) return -1;
  read_exact(packet_buffer, (size_t)length - 4, at_end);
  packet_buffer[length - 4] = '\0';
  return (int)length - 4;
}

static void skip_to_flush(int at_end) {
  while (read_packet(at_end) >= 0) {
  }
}

/* Sends the payload already at packet + 4 (at most MAX_PAYLOAD bytes) as one packet, header and payload in one write:
 * the caller reads its content straight after the 4 bytes the header fills in, so nothing is copied. */
static void send_framed(char *packet, size_t length) {
  char header[5];
  snprintf(header, sizeof header, "%04x", (unsigned)length + 4);
  memcpy(packet, header, 4);
  write_all(packet, length + 4);
}

static void send_packet(const char *payload, size_t length) {
  static char packet[MAX_PACKET];
  memcpy(packet + 4, payload, length);
  send_framed(packet, length);
}

static void send_line(const char *line) { send_packet(line, strlen(line)); }

static void send_flush(void) { write_all("0000", 4); }

#endif
