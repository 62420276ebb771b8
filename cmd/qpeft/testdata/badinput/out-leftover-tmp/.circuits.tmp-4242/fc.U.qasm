partial
