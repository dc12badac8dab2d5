// Commands are found through the oclif manifest; the package has no library API.
export {}
