// Package deploy holds Lanyard's deployment files (Kubernetes manifests, a Compose file) and no code:
// its tests check that the settings those files and the Dockerfile give Lanyard are ones it accepts.
package deploy
