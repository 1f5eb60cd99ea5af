// Command probe is the real node's test image: a small HTTP server and a DNS
// look-up, for the tests that prove pods run as processes, Services and node
// ports answer and cluster DNS resolves (tests/it/real_node.rs).
//
//	probe serve ADDR     answer every request with "probe <hostname>\n"
//	probe resolve NAME   print NAME's addresses, one a line; exit 1 if it does not resolve
//	probe get URL        print the body of a GET of URL; exit 1 unless the answer is 200
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: probe serve ADDR | probe resolve NAME | probe get URL")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		host, _ := os.Hostname()
		fmt.Printf("probe %s serving on %s\n", host, os.Args[2])
		err := http.ListenAndServe(os.Args[2], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Printf("%s %s from %s\n", r.Method, r.URL.Path, r.RemoteAddr)
			fmt.Fprintf(w, "probe %s\n", host)
		}))
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	case "resolve":
		addrs, err := net.LookupHost(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "probe:", err)
			os.Exit(1)
		}
		for _, a := range addrs {
			fmt.Printf("%s %s\n", os.Args[2], a)
		}
	case "get":
		client := http.Client{Timeout: 10 * time.Second}
		resp, err := client.Get(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "probe:", err)
			os.Exit(1)
		}
		body, _ := io.ReadAll(resp.Body)
		fmt.Printf("%s %s\n%s", os.Args[2], resp.Status, body)
		if resp.StatusCode != http.StatusOK {
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "probe: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}
