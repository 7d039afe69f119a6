"""The resizer: a broker consumer that makes every variant of an image from one decode."""
