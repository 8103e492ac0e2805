// null_responder: the floor for bench/. Answers every UDP query by echoing it with QR set (and
// AA, so dnsperf counts a NOERROR answer). No parsing, no zone, one socket per thread.
// Not a DNS server: it exists only to show what receiving and sending a datagram costs here.
//   null_responder 127.0.0.1 PORT [THREADS]     (SIGTERM stops it; THREADS default 1, max 8)
// With THREADS > 1 every thread binds its own SO_REUSEPORT socket, as dnsd, Knot and gdnsd do.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { k_batch = 32, k_buffer = 4096, k_max_threads = 8 };

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int signal_number) {
  (void)signal_number;
  stop_requested = 1;
}

static int open_socket(const char* address, int port, int reuseport) {
  struct sockaddr_in where;
  memset(&where, 0, sizeof where);
  where.sin_family = AF_INET;
  where.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, address, &where.sin_addr) != 1) return -1;
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  const int on = 1;
  if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    close(fd);
    return -1;
  }
  if (bind(fd, (struct sockaddr*)&where, sizeof where) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Same syscall pattern as a tuned server: recvmmsg with MSG_WAITFORONE, then one sendmmsg,
// so the floor is the cheapest way this kernel moves datagrams, not a straw man.
// Each thread owns one Batch (allocated once), so threads share nothing but the stop flag.
struct Batch {
  unsigned char buffers[k_batch][k_buffer];
  struct sockaddr_in peers[k_batch];
  struct iovec iov[k_batch];
  struct mmsghdr msgs[k_batch];
};

static void serve(int fd, struct Batch* b) {
  unsigned char(*buffers)[k_buffer] = b->buffers;
  struct sockaddr_in* peers = b->peers;
  struct iovec* iov = b->iov;
  struct mmsghdr* msgs = b->msgs;
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

static int g_fds[k_max_threads];

static void* serve_thread(void* arg) {
  struct Batch* batch = calloc(1, sizeof *batch);
  if (batch == NULL) return NULL;
  serve(g_fds[(long)arg], batch);
  free(batch);
  return NULL;
}

int main(int argc, char** argv) {
  const int threads = argc == 4 ? atoi(argv[3]) : 1;
  if ((argc != 3 && argc != 4) || threads < 1 || threads > k_max_threads) {
    fprintf(stderr, "usage: null_responder ADDRESS PORT [THREADS 1-%d]\n", k_max_threads);
    return 2;
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;  // no SA_RESTART: recvmmsg returns EINTR and the loop ends
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);
  for (int i = 0; i < threads; ++i) {
    g_fds[i] = open_socket(argv[1], atoi(argv[2]), threads > 1);
    if (g_fds[i] < 0) {
      perror("null_responder: bind");
      return 1;
    }
  }
  fprintf(stderr, "null_responder: serving on %s:%s with %d thread(s)\n", argv[1], argv[2], threads);
  // The extra threads start with SIGTERM/SIGINT blocked, so the signal interrupts the main
  // thread's recvmmsg; returning from main then ends the others with the process.
  sigset_t stop_signals, old;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &old);
  pthread_t ids[k_max_threads];
  for (long i = 1; i < threads; ++i) pthread_create(&ids[i], NULL, serve_thread, (void*)i);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  serve_thread((void*)0);
  return 0;
}
