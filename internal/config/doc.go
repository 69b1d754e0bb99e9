// Package config reads configuration files: one YAML document overlaid on
// the defaults of a typed configuration (a Config with Default and
// Validate, such as autoscaler.Config), generic over that type.
//
// Reading is strict: an unknown key, a value of the wrong type, a second
// document or a file larger than MaxSize is an error, and every error
// names the file and, where the YAML has one, the line and key. Keys are
// the yaml tags of the type's fields; durations are strings such as "2s".
// The result is not validated: the caller overlays its flags, then calls
// Validate.
//
// It is what the commands use to read files, so that the packages whose
// configurations it fills (the policies, the providers) read no file
// themselves. It must not import any package of this module, nor a flag
// package.
package config
