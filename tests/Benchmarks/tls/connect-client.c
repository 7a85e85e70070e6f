/* The load client of tls-connect-rate.py: new mutual-TLS connections on an open-loop schedule, with the cost of a
 * real TLS client (OpenSSL, as a Forwarder's SslStream uses on Linux) instead of asyncio's pure-Python SSL protocol,
 * which took CPU on the benchmark machine that the Collector would have in a cluster.
 *
 * Build (the script does this in a temp dir): cc -O2 -o connect-client connect-client.c -lssl -lcrypto
 * Usage: connect-client HOST PORT SERVER-NAME CA CERT KEY NODE RATE START FIRST STEP TOTAL [TIMEOUT]
 *
 * Connection i (i = FIRST, FIRST+STEP, ... < TOTAL) is due at START + i/RATE (START in Unix seconds, as Python's
 * time.time()), whatever happened to the earlier ones: one epoll loop with non-blocking sockets, so a slow server
 * piles up connections in flight instead of slowing the schedule. Each: TCP connect, a full TLS 1.3 handshake with
 * the client certificate (one SSL_CTX, certificate and key loaded once, no session reuse), the server's name checked,
 * one octet-counted frame "conn id=NNNNNNN", close_notify and FIN, then read until the server closes: the server's
 * TLS 1.3 session tickets arrive after the handshake, and closing with them unread would send a reset (see
 * stream() in the script). TIMEOUT (30 s) bounds each connection from its start, as the Python client's wait_for.
 *
 * Output, one line per connection after the last one ended (tab-separated, times in seconds):
 *   INDEX OK(1|0) BEGIN-DUE HANDSHAKE END ERROR
 * then "cpu USER SYS" with this process's CPU seconds (getrusage). Exit code 0 unless the set-up failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum state { CONNECTING, HANDSHAKE, WRITING, SHUTDOWN, DRAINING, DONE };

struct conn {
    long index;
    int fd;
    SSL *ssl;
    enum state state;
    double due, begin, handshake, end;
    int ok;
    char error[96];
    int active_slot; /* position in the active array while in flight */
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static struct conn **active;
static int active_count;
static int epfd;
static SSL_CTX *ctx;
static const char *server_name, *node;
static struct sockaddr_storage address;
static socklen_t address_length;

static void finish(struct conn *c, int ok, const char *error) {
    c->ok = ok;
    c->end = now();
    if (error)
        snprintf(c->error, sizeof c->error, "%s", error);
    /* no tab or newline may reach the output: the script splits on them */
    for (char *p = c->error; *p; p++)
        if (*p == '\t' || *p == '\n')
            *p = ' ';
    if (c->ssl)
        SSL_free(c->ssl);
    c->ssl = NULL;
    if (c->fd >= 0)
        close(c->fd); /* also removes it from the epoll set */
    c->fd = -1;
    c->state = DONE;
    active[c->active_slot] = active[--active_count];
    active[c->active_slot]->active_slot = c->active_slot;
}

static void fail_ssl(struct conn *c, const char *what, int ssl_error) {
    char buffer[96];
    unsigned long e = ERR_get_error();
    if (e) {
        char reason[80];
        ERR_error_string_n(e, reason, sizeof reason);
        snprintf(buffer, sizeof buffer, "SSLError: %s: %s", what, reason);
    } else if (ssl_error == SSL_ERROR_SYSCALL) {
        snprintf(buffer, sizeof buffer, "OSError: %s: %s", what, errno ? strerror(errno) : "unexpected EOF");
    } else {
        snprintf(buffer, sizeof buffer, "SSLError: %s: error %d", what, ssl_error);
    }
    ERR_clear_error();
    finish(c, 0, buffer);
}

static void wait_for(struct conn *c, unsigned events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Advances C as far as it goes without blocking; returns after registering what it waits for or finishing it. */
static void step(struct conn *c) {
    for (;;) {
        int r, e;
        switch (c->state) {
        case CONNECTING: {
            int error = 0;
            socklen_t length = sizeof error;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error) {
                char buffer[96];
                snprintf(buffer, sizeof buffer, "OSError: connect: %s", strerror(error));
                finish(c, 0, buffer);
                return;
            }
            c->state = HANDSHAKE;
            break;
        }
        case HANDSHAKE:
            ERR_clear_error();
            r = SSL_connect(c->ssl);
            if (r == 1) {
                c->handshake = now() - c->begin;
                c->state = WRITING;
                break;
            }
            e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                wait_for(c, e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
                return;
            }
            fail_ssl(c, "handshake", e);
            return;
        case WRITING: {
            char body[128], frame[160];
            int n = snprintf(body, sizeof body, "<134>1 2026-11-22T10:00:00.000001Z %s bench 1 ID - conn id=%07ld",
                             node, c->index);
            int length = snprintf(frame, sizeof frame, "%d %s", n, body);
            ERR_clear_error();
            /* a retried SSL_write must repeat the same arguments, which this does */
            r = SSL_write(c->ssl, frame, length);
            if (r > 0) {
                c->state = SHUTDOWN;
                break;
            }
            e = SSL_get_error(c->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                wait_for(c, e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
                return;
            }
            fail_ssl(c, "write", e);
            return;
        }
        case SHUTDOWN:
            ERR_clear_error();
            /* 0: our close_notify is sent; the server's answer is read below with the rest */
            r = SSL_shutdown(c->ssl);
            if (r < 0) {
                e = SSL_get_error(c->ssl, r);
                if (e == SSL_ERROR_WANT_WRITE) {
                    wait_for(c, EPOLLOUT);
                    return;
                }
                if (e != SSL_ERROR_WANT_READ) {
                    fail_ssl(c, "close", e);
                    return;
                }
            }
            shutdown(c->fd, SHUT_WR);
            c->state = DRAINING;
            wait_for(c, EPOLLIN);
            break;
        case DRAINING: {
            /* Whatever the server still sends (session tickets, its close_notify) is read and dropped until it closes,
             * so nothing is left unread when we close. */
            char buffer[16384];
            ssize_t n;
            while ((n = recv(c->fd, buffer, sizeof buffer, 0)) > 0) {
            }
            if (n == 0) {
                finish(c, 1, NULL);
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                char text[96];
                snprintf(text, sizeof text, "OSError: after close: %s", strerror(errno));
                finish(c, 0, text);
            }
            return;
        }
        case DONE:
            return;
        }
    }
}

static void start(struct conn *c) {
    c->begin = now();
    c->fd = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        snprintf(c->error, sizeof c->error, "OSError: socket: %s", strerror(errno));
        c->end = now();
        c->state = DONE;
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->ssl = SSL_new(ctx);
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_tlsext_host_name(c->ssl, server_name);
    SSL_set1_host(c->ssl, server_name);
    SSL_set_connect_state(c->ssl);
    c->active_slot = active_count;
    active[active_count++] = c;
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
    c->state = CONNECTING;
    if (connect(c->fd, (struct sockaddr *)&address, address_length) == 0)
        step(c);
    else if (errno != EINPROGRESS) {
        char buffer[96];
        snprintf(buffer, sizeof buffer, "OSError: connect: %s", strerror(errno));
        finish(c, 0, buffer);
    }
}

int main(int argc, char **argv) {
    if (argc < 13) {
        fprintf(stderr, "usage: %s HOST PORT SERVER-NAME CA CERT KEY NODE RATE START FIRST STEP TOTAL [TIMEOUT]\n",
                argv[0]);
        return 2;
    }
    const char *host = argv[1], *port = argv[2], *ca = argv[4], *cert = argv[5], *key = argv[6];
    server_name = argv[3];
    node = argv[7];
    double rate = atof(argv[8]), start_at = atof(argv[9]);
    long first = atol(argv[10]), stride = atol(argv[11]), total = atol(argv[12]);
    double timeout = argc > 13 ? atof(argv[13]) : 30.0;
    if (rate <= 0 || stride <= 0 || first < 0) {
        fprintf(stderr, "RATE and STEP must be positive, FIRST not negative\n");
        return 2;
    }

    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *found;
    int r = getaddrinfo(host, port, &hints, &found);
    if (r != 0) {
        fprintf(stderr, "%s:%s: %s\n", host, port, gai_strerror(r));
        return 2;
    }
    memcpy(&address, found->ai_addr, found->ai_addrlen);
    address_length = found->ai_addrlen;
    freeaddrinfo(found);

    /* every connection in flight holds a descriptor: take what the hard limit allows */
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }

    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) || !SSL_CTX_load_verify_locations(ctx, ca, NULL) ||
        SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        ERR_print_errors_fp(stderr);
        return 2;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    /* every connection makes a full handshake, as in the Python client: no session is kept for resumption */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);

    long count = first < total ? (total - first + stride - 1) / stride : 0;
    struct conn *conns = calloc(count ? count : 1, sizeof *conns);
    active = calloc(count ? count : 1, sizeof *active);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!conns || !active || epfd < 0) {
        perror("set-up");
        return 2;
    }
    for (long j = 0; j < count; j++) {
        conns[j].index = first + j * stride;
        conns[j].due = start_at + conns[j].index / rate;
        conns[j].fd = -1;
    }

    long next = 0;
    struct epoll_event events[256];
    double last_sweep = 0;
    while (next < count || active_count > 0) {
        double t = now();
        while (next < count && conns[next].due <= t)
            start(&conns[next++]);
        if (t - last_sweep >= 0.1) {
            last_sweep = t;
            for (int k = active_count - 1; k >= 0; k--)
                if (t - active[k]->begin > timeout)
                    finish(active[k], 0, "TimeoutError: no close within the timeout");
        }
        int wait_ms = 100;
        if (next < count) {
            double until = (conns[next].due - now()) * 1000;
            wait_ms = until <= 0 ? 0 : until < 100 ? (int)until + 1 : 100;
        }
        int n = epoll_wait(epfd, events, 256, wait_ms);
        for (int k = 0; k < n; k++) {
            struct conn *c = events[k].data.ptr;
            if (c->state != DONE)
                step(c);
        }
    }

    for (long j = 0; j < count; j++) {
        struct conn *c = &conns[j];
        printf("%ld\t%d\t%.6f\t%.6f\t%.6f\t%s\n", c->index, c->ok, c->begin - c->due, c->handshake, c->end, c->error);
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("cpu\t%.6f\t%.6f\n", usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
           usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6);
    return 0;
}
