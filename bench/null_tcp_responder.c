// The TCP floor for bench/tcp.py: a do-nothing DNS-over-TCP responder, one thread, level-triggered
// epoll. Each readable connection gets one read of what the kernel holds; every whole message in
// it is echoed back with QR set (a "response" with no answer), all in one write. It parses
// nothing and looks nothing up, so its CPU per query is what the kernel's TCP path costs alone.
// Not a DNS server.   null_tcp_responder ADDRESS PORT
#define _GNU_SOURCE  // accept4
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { buffer_size = 65536 + 2 };

struct conn {
  int fd;
  size_t filled;
  unsigned char in[buffer_size];
  unsigned char out[buffer_size];
};

static void drop(int epoll, struct conn* c) {
  epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c);
}

// One read; echoes every whole message; false when the connection is done.
static int serve(struct conn* c) {
  ssize_t got = read(c->fd, c->in + c->filled, sizeof c->in - c->filled);
  if (got <= 0) return got < 0 && errno == EAGAIN;
  c->filled += (size_t)got;
  size_t head = 0, out = 0;
  while (c->filled - head >= 2) {
    size_t size = (size_t)c->in[head] << 8 | c->in[head + 1];
    if (c->filled - head < 2 + size) break;
    if (out + 2 + size > sizeof c->out) break;  // the rest waits for the next pass
    memcpy(c->out + out, c->in + head, 2 + size);
    if (size >= 3) c->out[out + 4] |= 0x80;  // QR
    out += 2 + size;
    head += 2 + size;
  }
  memmove(c->in, c->in + head, c->filled - head);
  c->filled -= head;
  return out == 0 || write(c->fd, c->out, out) == (ssize_t)out;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: null_tcp_responder ADDRESS PORT\n");
    return 2;
  }
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &address.sin_addr) != 1) return 2;
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), on = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  setsockopt(listener, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // inherited by each conn
  if (bind(listener, (struct sockaddr*)&address, sizeof address) || listen(listener, 128)) {
    perror("null_tcp_responder");
    return 1;
  }
  int epoll = epoll_create1(0);
  struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
  struct epoll_event ready[64];
  for (;;) {
    int n = epoll_wait(epoll, ready, 64, -1);
    for (int i = 0; i < n; i++) {
      struct conn* c = ready[i].data.ptr;
      if (c == NULL) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) continue;
        c = malloc(sizeof *c);
        c->fd = fd;
        c->filled = 0;
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &e);
      } else if (!serve(c)) {
        drop(epoll, c);
      }
    }
  }
}
