// null_responder: the floor for bench/. Answers every UDP query by echoing it with QR set (and
// AA, so dnsperf counts a NOERROR answer). No parsing, no zone, one thread, one socket.
// Not a DNS server: it exists only to show what receiving and sending a datagram costs here.
//   null_responder 127.0.0.1 PORT      (SIGTERM stops it)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { k_batch = 32, k_buffer = 4096 };

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int signal_number) {
  (void)signal_number;
  stop_requested = 1;
}

static int open_socket(const char* address, int port) {
  struct sockaddr_in where;
  memset(&where, 0, sizeof where);
  where.sin_family = AF_INET;
  where.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, address, &where.sin_addr) != 1) return -1;
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  if (bind(fd, (struct sockaddr*)&where, sizeof where) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Same syscall pattern as a tuned server: recvmmsg with MSG_WAITFORONE, then one sendmmsg,
// so the floor is the cheapest way this kernel moves datagrams, not a straw man.
static void serve(int fd) {
  static unsigned char buffers[k_batch][k_buffer];
  static struct sockaddr_in peers[k_batch];
  static struct iovec iov[k_batch];
  static struct mmsghdr msgs[k_batch];
  while (!stop_requested) {
    for (int i = 0; i < k_batch; ++i) {
      iov[i].iov_base = buffers[i];
      iov[i].iov_len = k_buffer;
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &peers[i];
      msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
    }
    const int got = recvmmsg(fd, msgs, k_batch, MSG_WAITFORONE, NULL);
    if (got < 0) {
      if (errno == EINTR) continue;
      perror("null_responder: recvmmsg");
      return;
    }
    int answers = 0;
    for (int i = 0; i < got; ++i) {
      if (msgs[i].msg_len < 12) continue;  // not even a header: drop
      buffers[i][2] |= 0x84;               // QR and AA; opcode, RD and the rest kept
      iov[i].iov_len = msgs[i].msg_len;
      if (answers != i) msgs[answers] = msgs[i];
      ++answers;
    }
    if (answers > 0 && sendmmsg(fd, msgs, (unsigned)answers, 0) < 0 && errno != EINTR)
      perror("null_responder: sendmmsg");
  }
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: null_responder ADDRESS PORT\n");
    return 2;
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;  // no SA_RESTART: recvmmsg returns EINTR and the loop ends
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);
  const int fd = open_socket(argv[1], atoi(argv[2]));
  if (fd < 0) {
    perror("null_responder: bind");
    return 1;
  }
  fprintf(stderr, "null_responder: serving on %s:%s\n", argv[1], argv[2]);
  serve(fd);
  close(fd);
  return 0;
}
