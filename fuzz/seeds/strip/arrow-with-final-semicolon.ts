async () => 1;   
