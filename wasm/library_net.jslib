// Emscripten JS library for the deno-zmq WebAssembly build of libzmq: the
// socket syscalls libzmq's tcp:// and ipc:// code makes, served by the
// virtual sockets of wasm/net/sockets.ts (installed as Module.zmqHost by
// wasm/backend.ts). This file only converts the C ABI (struct sockaddr,
// struct pollfd, errno signs): every decision is made in TypeScript.
//
// Hostnames: libzmq resolves them with getaddrinfo, which emscripten answers
// with a fake 172.29.x.x address (library.js, DNS.lookup_name); connect and
// bind map it back to the name (DNS.lookup_addr), and the host runtime
// resolves it asynchronously when it opens the connection.
// Every override names its own __deps: emscripten's originals depend on
// its SOCKFS/FS emulation, which this build leaves out.
var LibraryDenoZmqNet = {
  // AF_UNIX is not in emscripten's struct info: sockaddr_un is
  // { sa_family_t sun_family; char sun_path[108]; }.
  $zmqReadAddress__deps: ["$readSockaddr", "$DNS"],
  $zmqReadAddress: function (sa, salen) {
    var family = {{{ makeGetValue("sa", 0, "i16") }}};
    if (family === 1) {
      return { family: 1, path: UTF8ToString(sa + 2, salen - 2) };
    }
    var info = readSockaddr(sa, salen);
    if (info.errno) return info;
    info.addr = DNS.lookup_addr(info.addr) || info.addr;
    return info;
  },
  $zmqWriteAddress__deps: ["$writeSockaddr"],
  $zmqWriteAddress: function (sa, salenp, info) {
    if (typeof info === "number") return info;
    if (!sa) return 0;
    if (info.family === 1) {
      var bytes = lengthBytesUTF8(info.path) + 1;
      {{{ makeSetValue("sa", 0, 1, "i16") }}};
      stringToUTF8(info.path, sa + 2, 108);
      if (salenp) {{{ makeSetValue("salenp", 0, "2 + Math.min(bytes, 108)", "i32") }}};
      return 0;
    }
    return -writeSockaddr(sa, info.family, info.addr, info.port, salenp);
  },

  __syscall_socket__deps: [],
  __syscall_socket: function (domain, type, protocol) {
    return Module["zmqHost"].socket(domain, type, protocol);
  },
  __syscall_socketpair__deps: [],
  __syscall_socketpair: function () {
    return -{{{ cDefine("EAFNOSUPPORT") }}};
  },
  __syscall_bind__deps: ["$zmqReadAddress"],
  __syscall_bind: function (fd, sa, salen) {
    var info = zmqReadAddress(sa, salen);
    if (info.errno) return -info.errno;
    return Module["zmqHost"].bind(fd, info);
  },
  __syscall_listen__deps: [],
  __syscall_listen: function (fd, backlog) {
    return Module["zmqHost"].listen(fd, backlog);
  },
  __syscall_accept4__deps: ["$zmqWriteAddress"],
  __syscall_accept4: function (fd, sa, salenp, flags) {
    var host = Module["zmqHost"];
    var accepted = host.accept(fd);
    if (accepted < 0) return accepted;
    var rc = zmqWriteAddress(sa, salenp, host.peerAddress(accepted));
    return rc < 0 ? rc : accepted;
  },
  __syscall_connect__deps: ["$zmqReadAddress"],
  __syscall_connect: function (fd, sa, salen) {
    var info = zmqReadAddress(sa, salen);
    if (info.errno) return -info.errno;
    return Module["zmqHost"].connect(fd, info);
  },
  __syscall_getsockname__deps: ["$zmqWriteAddress"],
  __syscall_getsockname: function (fd, sa, salenp) {
    return zmqWriteAddress(sa, salenp, Module["zmqHost"].localAddress(fd));
  },
  __syscall_getpeername__deps: ["$zmqWriteAddress"],
  __syscall_getpeername: function (fd, sa, salenp) {
    return zmqWriteAddress(sa, salenp, Module["zmqHost"].peerAddress(fd));
  },
  __syscall_getsockopt__deps: [],
  __syscall_getsockopt: function (fd, level, name, value, lengthp) {
    // Only SO_ERROR means something here (the outcome of a connect).
    if (
      level !== {{{ cDefine("SOL_SOCKET") }}} ||
      name !== {{{ cDefine("SO_ERROR") }}}
    ) {
      return -{{{ cDefine("ENOPROTOOPT") }}};
    }
    var error = Module["zmqHost"].takeError(fd);
    if (error < 0) return error;
    {{{ makeSetValue("value", 0, "error", "i32") }}};
    {{{ makeSetValue("lengthp", 0, 4, "i32") }}};
    return 0;
  },
  __syscall_sendto__deps: [],
  __syscall_sendto: function (fd, buf, length) {
    return Module["zmqHost"].send(fd, buf, length);
  },
  __syscall_recvfrom__deps: [],
  __syscall_recvfrom: function (fd, buf, length) {
    return Module["zmqHost"].receive(fd, buf, length);
  },
  __syscall_shutdown__deps: [],
  __syscall_shutdown: function () {
    return -{{{ cDefine("ENOTSUP") }}};
  },
  __syscall_sendmsg__deps: [],
  __syscall_sendmsg: function () {
    return -{{{ cDefine("ENOTSUP") }}};
  },
  __syscall_recvmsg__deps: [],
  __syscall_recvmsg: function () {
    return -{{{ cDefine("ENOTSUP") }}};
  },
  // WASI close: returns a positive errno. Signalers never close an fd, so
  // every close is a host socket's.
  fd_close__deps: [],
  fd_close: function (fd) {
    return -Module["zmqHost"].close(fd);
  },

  // Called by the patched libzmq (poll.cpp): the readiness of the host
  // sockets among `nfds` struct pollfd entries.
  zmq_wasm_poll_host__deps: [],
  zmq_wasm_poll_host: function (fds, nfds) {
    Module["zmqHost"].poll(fds, nfds);
  },
  // Called by the patched libzmq (signaler.cpp): a signaler became readable.
  zmq_wasm_signaled__deps: [],
  zmq_wasm_signaled: function () {
    Module["zmqHost"].signaled();
  },
};
mergeInto(LibraryManager.library, LibraryDenoZmqNet);
