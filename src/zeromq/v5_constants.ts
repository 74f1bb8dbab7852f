/**
 * The ZMQ_* constants of zeromq.js's v5 API, derived from the core's option
 * and socket type tables where those own the number.
 *
 * @module
 */

import { contextOptions, socketOptions as o } from "../options.ts";
import { SocketType } from "../sockets.ts";
import {
  ZMQ_EVENTS as EVENTS,
  ZMQ_POLLIN as POLLIN,
  ZMQ_POLLOUT as POLLOUT,
  ZMQ_SNDMORE as SNDMORE,
} from "../libzmq.ts";
import { routerOptions, xPublisherOptions } from "../options.ts";

/** ZMQ_PAIR. */
export const ZMQ_PAIR: number = SocketType.Pair;
/** ZMQ_PUB. */
export const ZMQ_PUB: number = SocketType.Publisher;
/** ZMQ_SUB. */
export const ZMQ_SUB: number = SocketType.Subscriber;
/** ZMQ_REQ. */
export const ZMQ_REQ: number = SocketType.Request;
/** ZMQ_REP. */
export const ZMQ_REP: number = SocketType.Reply;
/** ZMQ_DEALER. */
export const ZMQ_DEALER: number = SocketType.Dealer;
/** ZMQ_XREQ. */
export const ZMQ_XREQ: number = SocketType.Dealer;
/** ZMQ_ROUTER. */
export const ZMQ_ROUTER: number = SocketType.Router;
/** ZMQ_XREP. */
export const ZMQ_XREP: number = SocketType.Router;
/** ZMQ_PULL. */
export const ZMQ_PULL: number = SocketType.Pull;
/** ZMQ_PUSH. */
export const ZMQ_PUSH: number = SocketType.Push;
/** ZMQ_XPUB. */
export const ZMQ_XPUB: number = SocketType.XPublisher;
/** ZMQ_XSUB. */
export const ZMQ_XSUB: number = SocketType.XSubscriber;
/** ZMQ_STREAM. */
export const ZMQ_STREAM: number = SocketType.Stream;
/** ZMQ_AFFINITY. */
export const ZMQ_AFFINITY: number = o.affinity.id;
/** ZMQ_IDENTITY. */
export const ZMQ_IDENTITY: number = o.routingId.id;
/** ZMQ_SUBSCRIBE. */
export const ZMQ_SUBSCRIBE: number = 6;
/** ZMQ_UNSUBSCRIBE. */
export const ZMQ_UNSUBSCRIBE: number = 7;
/** ZMQ_RATE. */
export const ZMQ_RATE: number = o.rate.id;
/** ZMQ_RECOVERY_IVL. */
export const ZMQ_RECOVERY_IVL: number = o.recoveryInterval.id;
/** ZMQ_RECOVERY_IVL_MSEC. */
export const ZMQ_RECOVERY_IVL_MSEC: number = o.recoveryInterval.id;
/** ZMQ_SNDBUF. */
export const ZMQ_SNDBUF: number = o.sendBufferSize.id;
/** ZMQ_RCVBUF. */
export const ZMQ_RCVBUF: number = o.receiveBufferSize.id;
/** ZMQ_RCVMORE. */
export const ZMQ_RCVMORE: number = o.receiveMore.id;
/** ZMQ_FD. */
export const ZMQ_FD: number = o.fd.id;
/** ZMQ_EVENTS. */
export const ZMQ_EVENTS: number = EVENTS;
/** ZMQ_TYPE. */
export const ZMQ_TYPE: number = o.type.id;
/** ZMQ_LINGER. */
export const ZMQ_LINGER: number = o.linger.id;
/** ZMQ_RECONNECT_IVL. */
export const ZMQ_RECONNECT_IVL: number = o.reconnectInterval.id;
/** ZMQ_BACKLOG. */
export const ZMQ_BACKLOG: number = o.backlog.id;
/** ZMQ_RECONNECT_IVL_MAX. */
export const ZMQ_RECONNECT_IVL_MAX: number = o.reconnectMaxInterval.id;
/** ZMQ_MAXMSGSIZE. */
export const ZMQ_MAXMSGSIZE: number = o.maxMessageSize.id;
/** ZMQ_SNDHWM. */
export const ZMQ_SNDHWM: number = o.sendHighWaterMark.id;
/** ZMQ_RCVHWM. */
export const ZMQ_RCVHWM: number = o.receiveHighWaterMark.id;
/** ZMQ_MULTICAST_HOPS. */
export const ZMQ_MULTICAST_HOPS: number = o.multicastHops.id;
/** ZMQ_RCVTIMEO. */
export const ZMQ_RCVTIMEO: number = o.receiveTimeout.id;
/** ZMQ_SNDTIMEO. */
export const ZMQ_SNDTIMEO: number = o.sendTimeout.id;
/** ZMQ_IPV4ONLY. */
export const ZMQ_IPV4ONLY: number = o.ipv4Only.id;
/** ZMQ_LAST_ENDPOINT. */
export const ZMQ_LAST_ENDPOINT: number = o.lastEndpoint.id;
/** ZMQ_ROUTER_MANDATORY. */
export const ZMQ_ROUTER_MANDATORY: number = routerOptions.routerMandatory.id;
/** ZMQ_TCP_KEEPALIVE. */
export const ZMQ_TCP_KEEPALIVE: number = o.tcpKeepalive.id;
/** ZMQ_TCP_KEEPALIVE_CNT. */
export const ZMQ_TCP_KEEPALIVE_CNT: number = o.tcpKeepaliveCount.id;
/** ZMQ_TCP_KEEPALIVE_IDLE. */
export const ZMQ_TCP_KEEPALIVE_IDLE: number = o.tcpKeepaliveIdle.id;
/** ZMQ_TCP_KEEPALIVE_INTVL. */
export const ZMQ_TCP_KEEPALIVE_INTVL: number = o.tcpKeepaliveInterval.id;
/** ZMQ_TCP_ACCEPT_FILTER. */
export const ZMQ_TCP_ACCEPT_FILTER: number = o.tcpAcceptFilter.id;
/** ZMQ_DELAY_ATTACH_ON_CONNECT. */
export const ZMQ_DELAY_ATTACH_ON_CONNECT: number = o.immediate.id;
/** ZMQ_XPUB_VERBOSE. */
export const ZMQ_XPUB_VERBOSE: number = xPublisherOptions.verbose.id;
/** ZMQ_ROUTER_RAW. */
export const ZMQ_ROUTER_RAW: number = routerOptions.routerRaw.id;
/** ZMQ_IPV6. */
export const ZMQ_IPV6: number = o.ipv6.id;
/** ZMQ_MECHANISM. */
export const ZMQ_MECHANISM: number = o.mechanism.id;
/** ZMQ_PLAIN_SERVER. */
export const ZMQ_PLAIN_SERVER: number = o.plainServer.id;
/** ZMQ_PLAIN_USERNAME. */
export const ZMQ_PLAIN_USERNAME: number = o.plainUsername.id;
/** ZMQ_PLAIN_PASSWORD. */
export const ZMQ_PLAIN_PASSWORD: number = o.plainPassword.id;
/** ZMQ_CURVE_SERVER. */
export const ZMQ_CURVE_SERVER: number = o.curveServer.id;
/** ZMQ_CURVE_PUBLICKEY. */
export const ZMQ_CURVE_PUBLICKEY: number = o.curvePublicKey.id;
/** ZMQ_CURVE_SECRETKEY. */
export const ZMQ_CURVE_SECRETKEY: number = o.curveSecretKey.id;
/** ZMQ_CURVE_SERVERKEY. */
export const ZMQ_CURVE_SERVERKEY: number = o.curveServerKey.id;
/** ZMQ_ZAP_DOMAIN. */
export const ZMQ_ZAP_DOMAIN: number = o.zapDomain.id;
/** ZMQ_HEARTBEAT_IVL. */
export const ZMQ_HEARTBEAT_IVL: number = o.heartbeatInterval.id;
/** ZMQ_HEARTBEAT_TTL. */
export const ZMQ_HEARTBEAT_TTL: number = o.heartbeatTimeToLive.id;
/** ZMQ_HEARTBEAT_TIMEOUT. */
export const ZMQ_HEARTBEAT_TIMEOUT: number = o.heartbeatTimeout.id;
/** ZMQ_CONNECT_TIMEOUT. */
export const ZMQ_CONNECT_TIMEOUT: number = o.connectTimeout.id;
/** ZMQ_IO_THREADS. */
export const ZMQ_IO_THREADS: number = contextOptions.ioThreads.id;
/** ZMQ_MAX_SOCKETS. */
export const ZMQ_MAX_SOCKETS: number = contextOptions.maxSockets.id;
/** ZMQ_ROUTER_HANDOVER. */
export const ZMQ_ROUTER_HANDOVER: number = routerOptions.routerHandover.id;
/** ZMQ_POLLIN. */
export const ZMQ_POLLIN: number = POLLIN;
/** ZMQ_POLLOUT. */
export const ZMQ_POLLOUT: number = POLLOUT;
/** ZMQ_POLLERR. */
export const ZMQ_POLLERR: number = 4;
/** ZMQ_SNDMORE. */
export const ZMQ_SNDMORE: number = SNDMORE;
/** ZMQ_CAN_MONITOR. */
export const ZMQ_CAN_MONITOR: number = 1;
/** ZMQ_CAN_DISCONNECT. */
export const ZMQ_CAN_DISCONNECT: number = 1;
/** ZMQ_CAN_UNBIND. */
export const ZMQ_CAN_UNBIND: number = 1;
/** ZMQ_CAN_SET_CTX. */
export const ZMQ_CAN_SET_CTX: number = 1;
/** STATE_READY. */
export const STATE_READY: number = 0;
/** STATE_BUSY. */
export const STATE_BUSY: number = 1;
/** STATE_CLOSED. */
export const STATE_CLOSED: number = 2;

/** v5's short option names (`socket.identity`, `getsockopt("backlog")`). */
export const shortOptions = {
  _fd: ZMQ_FD,
  _ioevents: ZMQ_EVENTS,
  _receiveMore: ZMQ_RCVMORE,
  _subscribe: ZMQ_SUBSCRIBE,
  _unsubscribe: ZMQ_UNSUBSCRIBE,
  affinity: ZMQ_AFFINITY,
  backlog: ZMQ_BACKLOG,
  identity: ZMQ_IDENTITY,
  linger: ZMQ_LINGER,
  rate: ZMQ_RATE,
  rcvbuf: ZMQ_RCVBUF,
  last_endpoint: ZMQ_LAST_ENDPOINT,
  reconnect_ivl: ZMQ_RECONNECT_IVL,
  recovery_ivl: ZMQ_RECOVERY_IVL,
  sndbuf: ZMQ_SNDBUF,
  mechanism: ZMQ_MECHANISM,
  plain_server: ZMQ_PLAIN_SERVER,
  plain_username: ZMQ_PLAIN_USERNAME,
  plain_password: ZMQ_PLAIN_PASSWORD,
  curve_server: ZMQ_CURVE_SERVER,
  curve_publickey: ZMQ_CURVE_PUBLICKEY,
  curve_secretkey: ZMQ_CURVE_SECRETKEY,
  curve_serverkey: ZMQ_CURVE_SERVERKEY,
  zap_domain: ZMQ_ZAP_DOMAIN,
  heartbeat_ivl: ZMQ_HEARTBEAT_IVL,
  heartbeat_ttl: ZMQ_HEARTBEAT_TTL,
  heartbeat_timeout: ZMQ_HEARTBEAT_TIMEOUT,
  connect_timeout: ZMQ_CONNECT_TIMEOUT,
} as const;
