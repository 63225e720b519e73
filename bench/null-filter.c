/* bench/null-filter.c FILE | --from-blob: bench/null-filter.py in C, so that the floor under git-theta's and
 * git-lfs's filter-process is git's own cost and not an interpreter's. bench/run.sh builds it with `cc -O2` when a C
 * compiler is on PATH (else it uses the Python one) and says which one it timed.
 *
 * The same protocol and the same modes as null-filter.py (git's long-running filter protocol, version 2): a clean
 * drops what git sends and answers one line; a smudge answers with the bytes of FILE or, with --from-blob, of the file
 * whose path the blob holds. Both pipes are enlarged to 1 MiB (as git-theta does) and the file is sent in pkt-lines
 * of the largest payload git accepts, header and payload in one write. */
#include "pkt-line.h" /* first: it defines _GNU_SOURCE, which F_SETPIPE_SZ needs */

#include <fcntl.h>

static void send_file(const char *path) {
  static char packet[MAX_PACKET];
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    fprintf(stderr, "null-filter: cannot open %s: %s\n", path, strerror(errno));
    exit(1);
  }
  for (;;) {
    ssize_t got = read(fd, packet + 4, MAX_PAYLOAD);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      fprintf(stderr, "null-filter: cannot read %s: %s\n", path, strerror(errno));
      exit(1);
    }
    if (got == 0) break;
    send_framed(packet, (size_t)got);
  }
  close(fd);
  send_flush();
}

int main(int argc, char **argv) {
  int from_blob = argc > 1 && strcmp(argv[1], "--from-blob") == 0;
  const char *smudge_file = argc > 1 && !from_blob ? argv[1] : NULL;
  pkt_tool = "null-filter";
  fcntl(0, F_SETPIPE_SZ, 1 << 20); /* best effort, as in null-filter.py */
  fcntl(1, F_SETPIPE_SZ, 1 << 20);

  skip_to_flush(0); /* git-filter-client, version=2 */
  send_line("git-filter-server\n");
  send_line("version=2\n");
  send_flush();
  skip_to_flush(0); /* capabilities */
  send_line("capability=clean\n");
  send_line("capability=smudge\n");
  send_flush();

  static char named[4096];
  for (;;) {
    int smudge = 0, length;
    while ((length = read_packet(0)) >= 0) /* command=..., pathname=..., other keys */
      if (strncmp(packet_buffer, "command=smudge", 14) == 0) smudge = 1;
    size_t named_length = 0;
    while ((length = read_packet(0)) >= 0) /* content: a path with --from-blob, else dropped */
      if (smudge && from_blob) {
        if (named_length + (size_t)length >= sizeof named) {
          fprintf(stderr, "null-filter: the blob is longer than a path\n");
          exit(1);
        }
        memcpy(named + named_length, packet_buffer, (size_t)length);
        named_length += (size_t)length;
      }
    while (named_length > 0 && (named[named_length - 1] == '\n' || named[named_length - 1] == '\r'))
      named_length--;
    named[named_length] = '\0';

    send_line("status=success\n");
    send_flush();
    if (smudge && from_blob)
      send_file(named);
    else if (smudge && smudge_file != NULL)
      send_file(smudge_file);
    else {
      send_line("metadata\n");
      send_flush();
    }
    send_flush(); /* the empty list: status unchanged */
  }
}
