/**
 * The backend SPI: {@link io.github.wananimate.spi.Backend} binds a network's weights once and returns a
 * {@link io.github.wananimate.spi.LoadedNetwork}; {@link io.github.wananimate.spi.DeviceTensor} is state a backend
 * keeps between calls; providers register through {@link java.util.ServiceLoader}.
 */
package io.github.wananimate.spi;
