package io.lunport.server.cli;

/**
 * Marks a subcommand that opens images. {@link Main} starts loading what opening one needs
 * ({@link io.lunport.translation.FileHoles#preload}) before picocli sets the command up, so the
 * two overlap; a command that never opens an image (version, reload) does not pay for it.
 */
interface OpensImages {
}
