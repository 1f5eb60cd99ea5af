package main

// local-volumes: the real node's volume provisioner. PersistentVolumeClaims of the
// StorageClass it serves get a `local` PersistentVolume on the real node, a directory of
// its own under -dir; a released one is deleted with its directory. `local` volumes, unlike
// the hostPath ones of the control plane's built-in provisioner, are given to the pod's
// fsGroup by the kubelet, so a pod that runs as a non-root user can write to its volume.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const provisionerName = "todoctl.io/local-volumes"

func localVolumes() int {
	flags := flag.NewFlagSet("local-volumes", flag.ExitOnError)
	kubeconfig := flags.String("kubeconfig", "", "kubeconfig of the cluster")
	dir := flags.String("dir", "", "directory that holds the volumes")
	node := flags.String("node", "", "the node the volumes are on")
	class := flags.String("storage-class", "", "the StorageClass served")
	_ = flags.Parse(os.Args[1:])
	if *kubeconfig == "" || *dir == "" || *node == "" || *class == "" {
		fmt.Fprintln(os.Stderr, "usage: local-volumes -kubeconfig FILE -dir DIR -node NAME -storage-class NAME")
		return 2
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fmt.Fprintf(os.Stderr, "local-volumes: reading %s: %v\n", *kubeconfig, err)
		return 1
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		fmt.Fprintf(os.Stderr, "local-volumes: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	fmt.Printf("local-volumes: serving StorageClass %s with volumes under %s on node %s\n", *class, *dir, *node)
	for {
		if err := provision(ctx, client, *dir, *node, *class); err != nil && ctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "local-volumes: %v\n", err)
		}
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(time.Second):
		}
	}
}

// provision gives every pending claim of the class a volume, and deletes released volumes.
func provision(ctx context.Context, client kubernetes.Interface, dir, node, class string) error {
	claims, err := client.CoreV1().PersistentVolumeClaims("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing claims: %w", err)
	}
	for _, claim := range claims.Items {
		if claim.Spec.StorageClassName == nil || *claim.Spec.StorageClassName != class ||
			claim.Spec.VolumeName != "" || claim.Status.Phase != corev1.ClaimPending {
			continue
		}
		if err := create(ctx, client, dir, node, class, &claim); err != nil {
			fmt.Fprintf(os.Stderr, "local-volumes: claim %s/%s: %v\n", claim.Namespace, claim.Name, err)
		}
	}
	volumes, err := client.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing volumes: %w", err)
	}
	for _, pv := range volumes.Items {
		if pv.Annotations["pv.kubernetes.io/provisioned-by"] != provisionerName || pv.Spec.Local == nil {
			continue
		}
		if pv.Status.Phase != corev1.VolumeReleased && pv.Status.Phase != corev1.VolumeFailed {
			continue
		}
		if err := os.RemoveAll(pv.Spec.Local.Path); err != nil {
			fmt.Fprintf(os.Stderr, "local-volumes: removing %s: %v\n", pv.Spec.Local.Path, err)
			continue
		}
		err := client.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			fmt.Fprintf(os.Stderr, "local-volumes: deleting %s: %v\n", pv.Name, err)
			continue
		}
		fmt.Printf("deleted %s (%s)\n", pv.Name, pv.Spec.Local.Path)
	}
	return nil
}

// create makes the directory and the PersistentVolume bound to the claim.
func create(ctx context.Context, client kubernetes.Interface, dir, node, class string, claim *corev1.PersistentVolumeClaim) error {
	name := "local-" + string(claim.UID)
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	mode := corev1.PersistentVolumeFilesystem
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{"pv.kubernetes.io/provisioned-by": provisionerName},
		},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: claim.Spec.Resources.Requests[corev1.ResourceStorage]},
			AccessModes:                   claim.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
			StorageClassName:              class,
			VolumeMode:                    &mode,
			PersistentVolumeSource:        corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: path}},
			ClaimRef: &corev1.ObjectReference{
				Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: claim.Namespace, Name: claim.Name, UID: claim.UID,
			},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{
					Key: "kubernetes.io/hostname", Operator: corev1.NodeSelectorOpIn, Values: []string{node},
				}}}},
			}},
		},
	}
	_, err := client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err == nil {
		fmt.Printf("created %s for %s/%s (%s)\n", name, claim.Namespace, claim.Name, path)
	}
	return err
}
