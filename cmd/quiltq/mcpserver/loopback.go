package mcpserver

import (
	"fmt"
	"net"
)

// LoopbackAddr is addr to listen on, which must be on loopback: a port
// alone means 127.0.0.1. The server acts as the logged-in user for whoever
// reaches it and asks for no credentials, so it is never served beyond
// this machine.
func LoopbackAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if _, perr := net.LookupPort("tcp", addr); perr != nil {
			return "", fmt.Errorf("%q is not an address: give HOST:PORT on loopback (127.0.0.1:8765) or a port", addr)
		}
		host, port = "", addr
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("%q is not a loopback address: quiltq mcp serves your login to whoever connects, so it listens on 127.0.0.1, ::1 or localhost only", addr)
	}
	return net.JoinHostPort(host, port), nil
}
