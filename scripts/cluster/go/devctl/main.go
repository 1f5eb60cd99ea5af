// devctl: the few API requests scripts/dev-cluster makes while it starts the local cluster,
// with the Go standard library only, so that starting the cluster needs no kubectl (which is
// built only when it is first used; see scripts/cluster/bin/kubectl).
//
// Usage:
//
//	devctl -server URL -ca FILE -cert FILE -key FILE readyz
//	devctl ... create PATH < OBJECT.json   (an object that exists already is fine)
//	devctl ... get PATH                     (exit 0 when the object exists)
//	devctl ... node-ready NAME              (exit 0 when the node's Ready condition is True)
//	devctl ... nodes                        (each node's name and whether it is Ready, one a line)
//
// Exit codes: 0 yes/done, 1 no/not yet, 2 usage or a request that could not be made.
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	server := flag.String("server", "", "API server URL, e.g. https://127.0.0.1:6443")
	caFile := flag.String("ca", "", "CA certificate (PEM)")
	certFile := flag.String("cert", "", "client certificate (PEM)")
	keyFile := flag.String("key", "", "client key (PEM)")
	flag.Parse()
	args := flag.Args()
	if *server == "" || *caFile == "" || *certFile == "" || *keyFile == "" || len(args) == 0 {
		fail(2, "usage: devctl -server URL -ca FILE -cert FILE -key FILE readyz|create PATH|get PATH|node-ready NAME|nodes")
	}
	client, err := newClient(*caFile, *certFile, *keyFile)
	if err != nil {
		fail(2, err.Error())
	}
	switch {
	case args[0] == "readyz" && len(args) == 1:
		status, _ := request(client, "GET", *server+"/readyz", nil)
		exitIf(status == http.StatusOK)
	case args[0] == "get" && len(args) == 2:
		status, _ := request(client, "GET", *server+args[1], nil)
		exitIf(status == http.StatusOK)
	case args[0] == "create" && len(args) == 2:
		body, err := io.ReadAll(os.Stdin)
		if err != nil {
			fail(2, "reading the object from stdin: "+err.Error())
		}
		status, answer := request(client, "POST", *server+args[1], body)
		if status != http.StatusCreated && status != http.StatusConflict {
			fail(2, fmt.Sprintf("creating %s: HTTP %d: %s", args[1], status, answer))
		}
	case args[0] == "node-ready" && len(args) == 2:
		status, answer := request(client, "GET", *server+"/api/v1/nodes/"+args[1], nil)
		exitIf(status == http.StatusOK && nodeReady(answer))
	case args[0] == "nodes" && len(args) == 1:
		status, answer := request(client, "GET", *server+"/api/v1/nodes", nil)
		if status != http.StatusOK {
			fail(2, fmt.Sprintf("listing nodes: HTTP %d: %s", status, answer))
		}
		var list struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal([]byte(answer), &list); err != nil {
			fail(2, "reading the node list: "+err.Error())
		}
		for _, item := range list.Items {
			var node struct {
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			_ = json.Unmarshal(item, &node)
			ready := "NotReady"
			if nodeReady(string(item)) {
				ready = "Ready"
			}
			fmt.Printf("%s %s\n", node.Metadata.Name, ready)
		}
	default:
		fail(2, "unknown command: "+fmt.Sprint(args))
	}
}

func newClient(caFile, certFile, keyFile string) (*http.Client, error) {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("no certificate in %s", caFile)
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{
			RootCAs:      pool,
			Certificates: []tls.Certificate{pair},
		}},
	}, nil
}

// request returns the HTTP status (0 when no answer came) and the body.
func request(client *http.Client, method, url string, body []byte) (int, string) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		fail(2, err.Error())
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

func nodeReady(body string) bool {
	var node struct {
		Status struct {
			Conditions []struct {
				Type   string `json:"type"`
				Status string `json:"status"`
			} `json:"conditions"`
		} `json:"status"`
	}
	if json.Unmarshal([]byte(body), &node) != nil {
		return false
	}
	for _, c := range node.Status.Conditions {
		if c.Type == "Ready" {
			return c.Status == "True"
		}
	}
	return false
}

func exitIf(yes bool) {
	if yes {
		os.Exit(0)
	}
	os.Exit(1)
}

func fail(code int, message string) {
	fmt.Fprintln(os.Stderr, "devctl: "+message)
	os.Exit(code)
}
