/* SPDX-License-Identifier: BSD-2-Clause */
/* Sockets: binding listeners (with SO_REUSEPORT for per-worker UDP sockets) and batched UDP
 * I/O. All Linux-specific socket calls live here, so a port changes this file. */
#pragma once

#include <stdint.h>
#include <sys/socket.h>

#include "lib/conf.h"
#include "lib/err.h"

/* A UDP socket bound to a (port 0 = any free port), non-blocking, close-on-exec, with
 * SO_REUSEPORT when reuseport. Returns 0 and *fd_out, or IPBL_E*. */
int ipbl_net_udp_bind(const ipbl_conf_addr_t *a, bool reuseport, int *fd_out) IPBL_MUSTCHECK;

/* A listening TCP socket (non-blocking, close-on-exec, SO_REUSEADDR). */
int ipbl_net_tcp_listen(const ipbl_conf_addr_t *a, int backlog, int *fd_out) IPBL_MUSTCHECK;

/* The local port a socket is bound to. */
int ipbl_net_local_port(int fd, uint16_t *port_out) IPBL_MUSTCHECK;

/* Receive up to n datagrams without blocking; returns the count (0 when none are waiting) or
 * IPBL_E*. */
int ipbl_net_recv_batch(int fd, struct mmsghdr *msgs, unsigned n);

/* Send n datagrams; returns how many were sent or IPBL_E*. */
int ipbl_net_send_batch(int fd, struct mmsghdr *msgs, unsigned n);
