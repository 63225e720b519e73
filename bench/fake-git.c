/* bench/fake-git.c: git's side of the long-running filter protocol for one smudge, with none of git's costs, so a
 * filter's own smudge rate can be measured apart from git's (git buffers a filter's whole output in fresh memory and
 * then writes the file; this reader reuses one 1 MiB buffer and writes nothing).
 *
 *   cc -O2 -o /tmp/fake-git bench/fake-git.c
 *   cd REPO && git cat-file blob HEAD:model.safetensors >/tmp/blob
 *   /tmp/fake-git "git-theta filter-process" /tmp/blob model.safetensors     # or "git-lfs filter-process",
 *                                                                           # or "bench/null-filter --from-blob"
 *
 * It starts the filter command with sh -c in the current folder (the filter's repository), does the handshake, sends
 * one smudge of the blob's bytes for the pathname, drains the answer and prints the content's size and the seconds
 * from the request to the last flush. */
#include "pkt-line.h" /* first: it defines _GNU_SOURCE, which F_SETPIPE_SZ needs */

#include <fcntl.h>
#include <time.h>

enum { MAX_BLOB = 1 << 20 };

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: fake-git FILTER_COMMAND BLOB_FILE PATHNAME\n");
    return 2;
  }
  int down[2], up[2];
  if (pipe(down) != 0 || pipe(up) != 0) {
    perror("fake-git: pipe");
    return 1;
  }
  fcntl(down[1], F_SETPIPE_SZ, 1 << 20); /* as large as git-theta makes them */
  fcntl(up[0], F_SETPIPE_SZ, 1 << 20);
  if (fork() == 0) {
    dup2(down[0], 0);
    dup2(up[1], 1);
    close(down[1]);
    close(up[0]);
    execl("/bin/sh", "sh", "-c", argv[1], (char *)NULL);
    _exit(127);
  }
  pkt_tool = "fake-git";
  pkt_out = down[1];
  pkt_in = up[0];
  close(down[0]);
  close(up[1]);

  static char blob[MAX_BLOB];
  FILE *file = fopen(argv[2], "rb");
  if (file == NULL) {
    perror(argv[2]);
    return 1;
  }
  size_t blob_length = fread(blob, 1, sizeof blob, file);
  fclose(file);

  send_line("git-filter-client\n");
  send_line("version=2\n");
  send_flush();
  skip_to_flush(1);
  send_line("capability=clean\n");
  send_line("capability=smudge\n");
  send_flush();
  skip_to_flush(1);

  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  char pathname[4200];
  snprintf(pathname, sizeof pathname, "pathname=%s\n", argv[3]);
  send_line("command=smudge\n");
  send_line(pathname);
  send_flush();
  for (size_t offset = 0; offset < blob_length; offset += MAX_PAYLOAD) {
    size_t n = blob_length - offset < MAX_PAYLOAD ? blob_length - offset : MAX_PAYLOAD;
    send_packet(blob + offset, n);
  }
  send_flush();
  skip_to_flush(1); /* status=success */
  long long total = 0;
  int length;
  while ((length = read_packet(1)) >= 0) total += length;
  skip_to_flush(1); /* the final status list */
  clock_gettime(CLOCK_MONOTONIC, &end);
  printf("%lld bytes %.3f s\n", total, (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);
  close(pkt_out);
  return 0;
}
