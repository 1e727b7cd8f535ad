"""xuebi (学比): record what cadres do, turn it into comparable points, publish the rankings."""
